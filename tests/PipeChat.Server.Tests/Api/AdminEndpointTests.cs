using System.Text.Json;
using PipeChat.Server.Tests.Chat;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Api;

/// <summary>The admin dashboard's data (GET /api/admin/*): behind the API key, largest rooms first, a room's members and last messages, the recent series.</summary>
public sealed class AdminEndpointTests
{
    [Fact]
    public async Task Overview_rooms_and_room_show_the_node_and_need_the_key()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await using var bob = await ChatClient.ConnectAsync(server, "/bob");
        await using var carol = await ChatClient.ConnectAsync(server, "/carol");
        await alice.JoinAsync("big");
        await bob.JoinAsync("big");
        await carol.JoinAsync("small");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"big","data":{"text":"one"}},"ref":1}""");
        await alice.NextAsync("ack");
        await bob.SendAsync("""{"type":"room","data":{"roomid":"big","data":{"text":"two 你好"}},"ref":2}""");
        await bob.NextAsync("ack");

        Assert.Equal(401, (await ApiClient.GetAsync(server.HttpPort, "/api/admin/overview", key: null)).Status);
        Assert.Equal(401, (await ApiClient.GetAsync(server.HttpPort, "/api/admin/rooms", key: "wrong-key-0123456789")).Status);

        var overview = (await ApiClient.GetAsync(server.HttpPort, "/api/admin/overview")).Json;
        Assert.Equal(3, overview.GetProperty("connections").GetInt64());
        Assert.Equal(3, overview.GetProperty("users").GetInt32());
        Assert.Equal(2, overview.GetProperty("rooms").GetInt32());
        Assert.False(overview.GetProperty("degraded").GetBoolean());
        Assert.Equal(JsonValueKind.Array, overview.GetProperty("series").ValueKind);

        var rooms = (await ApiClient.GetAsync(server.HttpPort, "/api/admin/rooms")).Json.GetProperty("rooms").EnumerateArray().ToList();
        Assert.Equal(["big", "small"], rooms.Select(r => r.GetProperty("roomid").GetString()));
        Assert.Equal(2, rooms[0].GetProperty("connections").GetInt32());
        Assert.Single((await ApiClient.GetAsync(server.HttpPort, "/api/admin/rooms?limit=1")).Json.GetProperty("rooms").EnumerateArray());

        var room = (await ApiClient.GetAsync(server.HttpPort, "/api/admin/room?roomid=big")).Json;
        Assert.Equal(["alice", "bob"], room.GetProperty("members").GetProperty("members").EnumerateArray().Select(m => m.GetString()).Order());
        var texts = room.GetProperty("history").GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("data").GetProperty("data").GetProperty("text").GetString()).ToList();
        Assert.Equal(["one", "two 你好"], texts);
    }

    [Fact]
    public async Task The_series_samples_the_message_rates()
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        await using var alice = await ChatClient.ConnectAsync(server, "/alice");
        await alice.JoinAsync("r");
        await alice.SendAsync("""{"type":"room","data":{"roomid":"r","data":1},"ref":1}""");
        await alice.NextAsync("ack");

        // A sample is taken every 2 s; wait for one that saw the message.
        await Eventually.UntilAsync(
            async () => (await ApiClient.GetAsync(server.HttpPort, "/api/admin/overview")).Json.GetProperty("series").EnumerateArray()
                .Any(s => s.GetProperty("inPerSecond").GetDouble() > 0 && s.GetProperty("connections").GetInt64() == 1),
            TimeSpan.FromSeconds(20),
            "a sample with messages in");
    }

    [Theory]
    [InlineData("/api/admin/room", "missing_field")]
    [InlineData("/api/admin/room?roomid=r&limit=0", "invalid_field")]
    [InlineData("/api/admin/room?roomid=r&limit=101", "invalid_field")]
    [InlineData("/api/admin/rooms?limit=x", "invalid_field")]
    public async Task Bad_queries_get_a_problem_with_a_stable_code(string path, string code)
    {
        await using var server = await TestServer.StartAsync(ApiClient.ServerArgs);
        var response = await ApiClient.GetAsync(server.HttpPort, path);
        Assert.Equal((400, code), (response.Status, response.Code));
    }

    [Fact]
    public async Task Without_an_api_key_the_admin_data_is_off_and_the_page_says_how_to_turn_it_on()
    {
        await using var server = await TestServer.StartAsync();
        var response = await ApiClient.GetAsync(server.HttpPort, "/api/admin/overview");
        Assert.Equal((404, "not_found"), (response.Status, response.Code));
        Assert.Contains("--api-key", response.Body, StringComparison.Ordinal);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true });
        var page = await http.GetStringAsync(server.HttpUri("/admin"));
        Assert.Contains("PipeChat admin", page, StringComparison.Ordinal);
    }
}
