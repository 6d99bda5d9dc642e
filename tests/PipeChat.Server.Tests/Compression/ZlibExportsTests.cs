using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PipeChat.Server.Compression;
using PipeChat.Server.Tests.Support;

namespace PipeChat.Server.Tests.Compression;

/// <summary>
/// Pins the runtime-internal zlib exports <see cref="ZlibNative"/> binds: a runtime update that
/// renames or drops one, or changes what it does, fails here rather than in production (where the
/// start-up self-test would switch compression off).
/// </summary>
public sealed class ZlibExportsTests
{
    private static readonly string[] s_pinned =
    [
        "CompressionNative_DeflateInit2_",
        "CompressionNative_Deflate",
        "CompressionNative_DeflateEnd",
        "CompressionNative_InflateInit2_",
        "CompressionNative_Inflate",
        "CompressionNative_InflateReset2_",
        "CompressionNative_InflateEnd",
    ];

    [Fact]
    public void The_binding_names_exactly_the_pinned_exports()
    {
        var bound = typeof(ZlibNative).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(method => method.GetCustomAttribute<LibraryImportAttribute>())
            .OfType<LibraryImportAttribute>()
            .Select(import => import.EntryPoint!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(s_pinned.Order(StringComparer.Ordinal), bound);
    }

    [Fact]
    public void The_runtime_native_shim_exports_every_pinned_entry_point()
    {
        var library = NativeLibrary.Load("libSystem.IO.Compression.Native", typeof(ZlibNative).Assembly, null);
        var missing = s_pinned.Where(name => !NativeLibrary.TryGetExport(library, name, out _)).ToArray();

        Assert.Empty(missing);
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(6, 15)]
    [InlineData(9, 12)]
    public void Self_test_round_trip_works_on_this_runtime(int level, int windowBits)
    {
        Assert.Null(DeflateSelfTest.Run(level, windowBits));
    }

    [Fact]
    public void A_failed_self_test_turns_compression_off_with_a_warning_naming_the_setting()
    {
        var logger = new CapturingLogger();

        var codec = DeflateCodec.TryCreate(256, 6, 15, logger, (_, _) => "EntryPointNotFoundException: CompressionNative_Deflate");

        Assert.Null(codec);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("--permessage-deflate", warning.Message, StringComparison.Ordinal);
        Assert.Contains("CompressionNative_Deflate", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passing_self_test_gives_a_working_codec_and_logs_nothing()
    {
        var logger = new CapturingLogger();

        using var codec = DeflateCodec.TryCreate(0, 6, 15, logger);

        Assert.NotNull(codec);
        Assert.Empty(logger.Entries);
        var twin = codec.Compress(System.Text.Encoding.UTF8.GetBytes(new string('a', 500)), Protocol.Framing.WebSocketOpcode.Text);
        Assert.NotNull(twin);
        twin.Release();
    }
}
