namespace PipeChat.LoadTest.Hosting;

/// <summary>
/// Lines a child process writes on stdout (parent → child is stdin): READY after connecting and
/// joining; the parent answers GO once every child is ready; SAMPLE {json} once a second;
/// RESULT {json} at the end.
/// </summary>
internal static class ChildProtocol
{
    public const string Ready = "READY";
    public const string Go = "GO";
    public const string SamplePrefix = "SAMPLE ";
    public const string ResultPrefix = "RESULT ";
}
