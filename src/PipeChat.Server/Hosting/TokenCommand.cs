namespace PipeChat.Server.Hosting;

/// <summary>`token --uid alice --ttl 3600 --auth-secret S`: prints a JWT for testing.</summary>
internal static class TokenCommand
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("token: not available yet");
        return 2;
    }
}
