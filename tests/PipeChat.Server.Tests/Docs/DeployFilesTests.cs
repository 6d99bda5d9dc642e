using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PipeChat.Server.Configuration;
using PipeChat.Server.Hosting;

namespace PipeChat.Server.Tests.Docs;

/// <summary>
/// The files under deploy/ name settings that exist and values that load: a renamed setting or a
/// new default would otherwise leave docs/deploy.md's recipe silently wrong.
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_environment_file_example_names_only_real_settings()
    {
        var names = File.ReadAllLines(Path.Combine(Root, "deploy/systemd/pipechat.env.example"))
            .Select(line => line.TrimStart('#').Trim())
            .Select(line => EnvironmentAssignment().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups["name"].Value)
            .ToList();

        Assert.Contains("PIPECHAT_AUTH_SECRET", names);
        var known = SettingsTable.All.Select(s => s.EnvironmentVariable).ToHashSet(StringComparer.Ordinal);
        Assert.All(names, name => Assert.Contains(name, known));
    }

    [Fact]
    public void The_production_appsettings_example_loads_and_names_only_real_settings()
    {
        var path = Path.Combine(Root, "deploy/systemd/appsettings.Production.json");
        using (var json = JsonDocument.Parse(File.ReadAllText(path)))
        {
            var known = SettingsTable.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            Assert.All(json.RootElement.GetProperty("PipeChat").EnumerateObject(), p => Assert.Contains(p.Name, known));
        }

        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = OptionsLoader.Load(configuration);
        Assert.Equal("json", options.LogFormat);
    }

    [Fact]
    public void The_service_unit_runs_the_published_executable_and_outlasts_a_graceful_shutdown()
    {
        var unit = File.ReadAllText(Path.Combine(Root, "deploy/systemd/pipechat.service"));
        Assert.Contains("ExecStart=/opt/pipechat/PipeChat.Server\n", unit, StringComparison.Ordinal);
        Assert.Equal("PipeChat.Server", typeof(PipeChatHost).Assembly.GetName().Name);
        Assert.Contains("EnvironmentFile=/etc/pipechat/pipechat.env", unit, StringComparison.Ordinal);
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", unit, StringComparison.Ordinal);

        var stop = double.Parse(StopTimeout().Match(unit).Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var defaults = new ServerOptions();
        Assert.True(stop > defaults.ShutdownTimeoutSeconds + defaults.CloseTimeoutSeconds, $"TimeoutStopSec={stop} must exceed the graceful shutdown ({defaults.ShutdownTimeoutSeconds} + {defaults.CloseTimeoutSeconds} s)");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PipeChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"^(?<name>PIPECHAT_[A-Z0-9_]+)=")]
    private static partial Regex EnvironmentAssignment();

    [GeneratedRegex(@"^TimeoutStopSec=(?<seconds>[0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex StopTimeout();
}
