using System.Diagnostics;
using PipeChat.Fuzz;
using SharpFuzz;

// PipeChat.Fuzz TARGET                         run under afl-fuzz (SharpFuzz out-of-process fork server)
// PipeChat.Fuzz TARGET --persistent            the same, in-process persistent mode (faster; a hang or stack overflow ends the run)
// PipeChat.Fuzz TARGET --replay FILE...        run each file once, print the exception of any that fails
// PipeChat.Fuzz TARGET --mutate SECONDS [DIR]  coverage-less fallback: mutate the seed corpus for SECONDS, save failures to DIR
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: PipeChat.Fuzz <{string.Join('|', FuzzTargets.All.Select(t => t.Name))}> [--persistent | --replay FILE... | --mutate SECONDS [DIR]]");
    return 2;
}

var mode = args.Length > 1 ? args[1] : "";
switch (mode)
{
    case "":
        Fuzzer.OutOfProcess.Run(stream => target.Run(ReadAll(stream)));
        return 0;
    case "--persistent":
        Fuzzer.Run(stream => target.Run(ReadAll(stream)));
        return 0;
    case "--replay":
        return Replay(target, args[2..]);
    case "--mutate" when args.Length > 2 && int.TryParse(args[2], out var seconds):
        return MutationLoop.Run(target, seconds, args.Length > 3 ? args[3] : Path.Combine("findings", target.Name, "mutate"));
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}

static byte[] ReadAll(Stream stream)
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    return memory.ToArray();
}

static int Replay(FuzzTarget target, string[] files)
{
    var failures = 0;
    foreach (var file in files)
    {
        var bytes = File.ReadAllBytes(file);
        var watch = Stopwatch.StartNew();
        try
        {
            target.Run(bytes);
            Console.WriteLine($"ok    {file} ({bytes.Length} B, {watch.ElapsedMilliseconds} ms)");
        }
        catch (Exception exception)
        {
            failures++;
            Console.WriteLine($"FAIL  {file} ({bytes.Length} B): {Convert.ToHexString(bytes)}");
            Console.WriteLine(exception);
        }
    }

    return failures == 0 ? 0 : 1;
}
