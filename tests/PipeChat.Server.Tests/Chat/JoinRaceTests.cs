using System.Text.Json;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Chat;

/// <summary>Joining while the room is busy: joined.seq tells exactly where the joiner's messages start.</summary>
public sealed class JoinRaceTests
{
    [Fact]
    public async Task Joiner_receives_exactly_the_messages_after_joined_seq_while_others_send()
    {
        // Every message must arrive: thinning (which skips messages for a member whose writer falls
        // behind, e.g. on a starved CPU or while this test reads other joiners first) is off;
        // Overload/ThinningTests test it.
        await using var server = await TestServer.StartAsync("--rate-limit-per-second", "0", "--thin-after-bytes", "0");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.SendAsync("""{"type":"join","data":{"roomid":"r1"}}""");
        await alice.ExpectAsync(Messages.OfType("joined"));
        var joiners = new List<ChatClient>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                joiners.Add(await ChatClient.ConnectAsync(server, $"/j{i}"));
            }

            // Alice sends a stream of room messages while sixteen others join one after another.
            const int Count = 1500;
            var sending = Task.Run(async () =>
            {
                for (var i = 1; i <= Count; i++)
                {
                    await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":0}}""");
                }
            });

            foreach (var joiner in joiners)
            {
                await joiner.SendAsync("""{"type":"join","data":{"roomid":"r1"}}""");
                await Task.Delay(1);
            }

            var joinedSeqs = new List<long>();
            foreach (var joiner in joiners)
            {
                joinedSeqs.Add((await joiner.ExpectAsync(Messages.OfType("joined"))).Data.Num("seq"));
            }

            await sending;
            await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":"end"}}""");

            var failures = new List<string>();
            for (var j = 0; j < joiners.Count; j++)
            {
                var seqs = new List<long>();
                while (true)
                {
                    var message = await joiners[j].ExpectAsync(Messages.RoomMessage("r1"));
                    seqs.Add(message.Data.Num("seq"));
                    if (message.Data.GetProperty("data").ValueKind == JsonValueKind.String)
                    {
                        break;
                    }
                }

                var expected = Enumerable.Range((int)joinedSeqs[j] + 1, Count + 1 - (int)joinedSeqs[j]).Select(s => (long)s);
                if (!expected.SequenceEqual(seqs))
                {
                    failures.Add($"j{j}: joined.seq {joinedSeqs[j]}, received seqs {seqs[0]}..{seqs[^1]} ({seqs.Count} messages)");
                }
            }

            Assert.True(failures.Count == 0, "a joiner's room messages do not start right after its joined.seq:\n" + string.Join("\n", failures));
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                await joiner.DisposeAsync();
            }
        }
    }
}
