using System.Diagnostics;

namespace PipeChat.Fuzz;

/// <summary>
/// The fallback when AFL++ cannot run: COVERAGE-LESS random mutation of the seed corpus
/// (no feedback, so it finds shallow bugs only). Reports executions and saves failing inputs.
/// </summary>
internal static class MutationLoop
{
    public static int Run(FuzzTarget target, int seconds, string findings)
    {
        var corpus = Corpus.Load(Corpus.FindRoot(AppContext.BaseDirectory), target.Name).Select(entry => entry.Bytes).ToList();
        var mutator = new Mutator(Environment.TickCount, corpus, target.Dictionary);
        var watch = Stopwatch.StartNew();
        long executions = 0;
        var failures = new HashSet<string>();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            var input = mutator.Next();
            executions++;
            try
            {
                target.Run(input);
            }
            catch (Exception exception)
            {
                var signature = $"{exception.GetType().Name}: {exception.Message}";
                if (failures.Add(signature))
                {
                    Directory.CreateDirectory(findings);
                    var path = Path.Combine(findings, $"failure-{failures.Count:D3}.bin");
                    File.WriteAllBytes(path, input);
                    Console.WriteLine($"failure {failures.Count}: {signature} -> {path}");
                    Console.WriteLine(exception.StackTrace);
                }
            }
        }

        Console.WriteLine($"coverage-less mutation, target {target.Name}: {executions} execs in {watch.Elapsed.TotalSeconds:F0} s, {failures.Count} distinct failures");
        return failures.Count == 0 ? 0 : 1;
    }
}
