using PipeChat.Server.Hosting;

namespace PipeChat.Server;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        InlineSocketCompletions.EnableUnlessSet();
        if (args.Length > 0 && args[0] is "--help" or "-h")
        {
            Console.WriteLine(HelpText.Render());
            return 0;
        }

        if (args.Length > 0 && args[0] == "token")
        {
            return TokenCommand.Run(args[1..]);
        }

        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = PipeChatHost.Build(args);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync("pipechat: configuration error: " + ex.Message);
            return 2;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync("pipechat: cannot listen: " + ex.Message);
            return 3;
        }
    }
}
