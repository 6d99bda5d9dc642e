using System.Text.Json;
using PipeChat.Server.Hosting;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Content;

/// <summary>The sensitive-word list end to end: mask, block, reload while messages flow, with the hook, start-up errors.</summary>
public sealed class WordListTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipechat-words-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteList(string name, params string[] words)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, string.Join('\n', words) + "\n");
        return path;
    }

    private static string Text(JsonElement room) => room.GetProperty("data").GetProperty("data").GetProperty("t").GetString()!;

    [Fact]
    public async Task Mask_replaces_each_matched_character_with_a_star_for_every_member()
    {
        await using var server = await TestServer.StartAsync("--word-list", WriteList("words.txt", "笨蛋", "spam"));
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.JoinAsync("r1");
        await bob.JoinAsync("r1");

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"你是笨蛋, SPAM!"}},"ref":"m1"}""");

        Assert.Equal("你是**, ****!", Text(await bob.NextAsync("room")));
        Assert.Equal("你是**, ****!", Text(await alice.NextAsync("room")));
        await alice.ExpectAsync(Messages.WithRef("ack", "m1"));
    }

    [Fact]
    public async Task Block_refuses_the_message_with_error_rejected_reason_sensitive_word()
    {
        await using var server = await TestServer.StartAsync("--word-list", WriteList("words.txt", "笨蛋"), "--word-action", "block");
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await alice.JoinAsync("r1");
        await bob.JoinAsync("r1");

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"笨蛋"}},"ref":"m1"}""");
        var error = await alice.ExpectAsync(Messages.Error("rejected"));
        Assert.Equal("""{"type":"error","data":{"code":"rejected","message":"the message was rejected","reason":"sensitive_word"},"ref":"m1"}""", error.Raw);

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"你好"}}}""");
        var room = await bob.NextAsync("room");
        Assert.Equal("你好", Text(room));
        Assert.Equal(1, room.GetProperty("data").Num("seq"));
    }

    [Fact]
    public async Task Server_api_publishes_are_not_filtered()
    {
        await using var server = await TestServer.StartAsync("--word-list", WriteList("words.txt", "笨蛋"), "--word-action", "block", "--api-key", "0123456789abcdef0123");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await bob.JoinAsync("r1");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", "0123456789abcdef0123");
        var response = await http.PostAsync(server.HttpUri("/api/publish"), new StringContent("""{"roomid":"r1","from":"system","data":{"t":"笨蛋"}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("笨蛋", Text(await bob.NextAsync("room")));
    }

    [Fact]
    public async Task The_list_is_read_again_when_the_file_changes_while_messages_flow()
    {
        var path = WriteList("words.txt", "alpha");
        await using var server = await TestServer.StartAsync("--word-list", path);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r1");

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"alpha beta"}}}""");
        Assert.Equal("***** beta", Text(await alice.NextAsync("room")));

        // Replaced the way deploy tools do it: written next to it, then renamed over it.
        var staging = Path.Combine(_directory, "words.txt.new");
        File.WriteAllText(staging, "beta\n");
        File.Move(staging, path, overwrite: true);

        var seen = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"alpha beta"}}}""");
            var text = Text(await alice.NextAsync("room"));
            seen.Add(text);
            if (text == "alpha ****")
            {
                break;
            }

            Assert.Equal("***** beta", text); // the old list, whole, until the new one is in
            await Task.Delay(50);
        }

        Assert.Equal("alpha ****", seen[^1]);
    }

    [Fact]
    public async Task The_hook_sees_the_masked_text_and_a_blocked_message_costs_no_hook_call()
    {
        await using var hook = await HookServer.StartAsync(HookServer.Allow);
        await using var server = await TestServer.StartAsync("--word-list", WriteList("words.txt", "笨蛋"), "--publish-hook", hook.Url);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r1");

        await alice.SendAsync("""{"type":"room","data":{"roomid":"r1","data":{"t":"笨蛋!"}}}""");
        Assert.Equal("**!", Text(await alice.NextAsync("room")));
        Assert.Equal("**!", Assert.Single(hook.Requests).GetProperty("data").Str("t"));
    }

    [Theory]
    [InlineData("--word-list", "/nonexistent/words.txt", "--word-list")]
    [InlineData("--word-action", "delete", "--word-action")]
    [InlineData("--publish-hook", "ftp://example.com/hook", "--publish-hook")]
    [InlineData("--publish-hook", "/relative", "--publish-hook")]
    [InlineData("--publish-hook-failure", "maybe", "--publish-hook-failure")]
    [InlineData("--publish-hook-timeout-ms", "0", "--publish-hook-timeout-ms")]
    public void A_bad_content_setting_stops_start_up_naming_it(string flag, string value, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => PipeChatHost.Build(["--port", "0", flag, value]));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
