using System.Buffers;

namespace PipeChat.Protocol.Chat;

/// <summary>
/// The error a refused room message gets:
/// <c>{"type":"error","data":{"code":"rejected","message":"…","reason":"spam"},"ref":…}</c>;
/// <c>reason</c> is the app backend's code (publish hook) or one of PipeChat's own
/// (<c>sensitive_word</c>, <c>hook_unavailable</c>), docs/protocol.md.
/// </summary>
public static class RejectedErrorWriter
{
    public const string Message = "the message was rejected";

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> reason, ReadOnlySpan<byte> reference)
    {
        var w = new JsonSpanWriter(output.GetSpan(128 + JsonSpanWriter.MaxStringLength(reason.Length) + reference.Length));
        w.Raw("{\"type\":\"error\",\"data\":{\"code\":\"rejected\",\"message\":\"the message was rejected\",\"reason\":"u8);
        w.String(reason);
        w.Raw("}"u8);
        if (!reference.IsEmpty)
        {
            w.Raw(",\"ref\":"u8);
            w.Raw(reference);
        }

        w.Raw("}"u8);
        output.Advance(w.Written);
    }
}
