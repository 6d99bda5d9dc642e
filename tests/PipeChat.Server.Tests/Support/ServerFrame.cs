using System.Buffers.Binary;
using System.Text;
using PipeChat.Protocol.Framing;

namespace PipeChat.Server.Tests.Support;

/// <summary>A frame as the server sent it, payload copied out.</summary>
internal sealed record ServerFrame(bool Fin, WebSocketOpcode Opcode, byte[] Payload, bool Rsv1 = false)
{
    /// <summary>The status code of a close frame, or null when its payload is empty.</summary>
    public ushort? CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public override string ToString()
    {
        if (Opcode == WebSocketOpcode.Close)
        {
            var reason = Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : string.Empty;
            return $"Close({(CloseCode is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no code")}{(reason.Length > 0 ? ", \"" + reason + "\"" : "")})";
        }

        return $"{Opcode}(fin={Fin}{(Rsv1 ? ", compressed" : "")}, {Payload.Length} bytes)";
    }
}
