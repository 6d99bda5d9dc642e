using System.Runtime.CompilerServices;

namespace PipeChat.Protocol.Framing;

/// <summary>Room for one control-frame payload (≤ 125 bytes, RFC 6455 §5.5) inside the reader.</summary>
[InlineArray(Length)]
internal struct ControlPayloadBuffer
{
    public const int Length = 125;

    private byte _element0;
}
