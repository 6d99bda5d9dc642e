using System.Globalization;
using PipeChat.Server.Auth;

namespace PipeChat.Server.Hosting;

/// <summary>
/// `token --uid alice [--ttl 3600] [--rooms r1,class-*] [--mod class-*] --auth-secret S [--auth-issuer I] [--auth-audience A]`:
/// prints an HS256 JWT (with the rooms and mod claims when given). The secret may also come from PIPECHAT_AUTH_SECRET.
/// </summary>
internal static class TokenCommand
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Prints the token to <paramref name="output"/>, or the problem and the usage to <paramref name="error"/> (exit code 2).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? uid = null, secret = Environment.GetEnvironmentVariable("PIPECHAT_AUTH_SECRET"), issuer = null, audience = null;
        string[]? rooms = null, moderated = null;
        var ttl = 3600d;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--uid" when value is not null:
                    uid = value;
                    break;
                case "--ttl" when value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out ttl) && ttl > 0:
                    break;
                case "--auth-secret" when value is not null:
                    secret = value;
                    break;
                case "--rooms" when value is not null:
                    rooms = SplitPatterns(value);
                    break;
                case "--mod" when value is not null:
                    moderated = SplitPatterns(value);
                    break;
                case "--auth-issuer" when value is not null:
                    issuer = value;
                    break;
                case "--auth-audience" when value is not null:
                    audience = value;
                    break;
                default:
                    return Fail(error, $"unexpected or incomplete option '{args[i]}'");
            }

            i++;
        }

        if (uid is null || !UserIdRules.IsValid(uid))
        {
            return Fail(error, "--uid is required: 1-64 characters of A-Z a-z 0-9 _ . @ : -");
        }

        if (!AuthSecret.IsValid(secret, out var problem))
        {
            return Fail(error, "--auth-secret (or PIPECHAT_AUTH_SECRET): " + problem);
        }

        foreach (var (name, patterns) in new[] { ("--rooms", rooms), ("--mod", moderated) })
        {
            if (patterns is not null && (patterns.Length > RoomAccess.MaxPatterns || patterns.Any(p => !RoomAccess.IsValidPattern(p))))
            {
                return Fail(error, $"{name}: comma-separated room ids or prefixes ending in *, each 1-{RoomAccess.MaxPatternBytes} bytes, * only at the end, at most {RoomAccess.MaxPatterns}");
            }
        }

        output.WriteLine(TokenIssuer.Create(secret, uid, TimeSpan.FromSeconds(ttl), issuer, audience, rooms: rooms, moderated: moderated));
        return 0;
    }

    /// <summary>"a, b*" → ["a", "b*"]; "" → [] (a rooms claim that allows no room).</summary>
    private static string[] SplitPatterns(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine("token: " + message);
        error.WriteLine("usage: token --uid ID [--ttl SECONDS] [--rooms LIST] [--mod LIST] --auth-secret SECRET [--auth-issuer ISS] [--auth-audience AUD]");
        return 2;
    }
}
