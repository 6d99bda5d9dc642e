using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PipeChat.Server.Http.Api;

/// <summary>
/// The server API's key check: <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key: &lt;key&gt;</c>
/// (an Authorization header of another scheme fails even with X-API-Key), compared in constant
/// time as SHA-256 digests, so neither content nor length leaks.
/// </summary>
internal sealed class ApiKey(string key)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsPresentedBy(HttpRequest request)
    {
        string presented;
        if (request.Headers.Authorization is { Count: > 0 } authorization)
        {
            var value = authorization.ToString();
            if (value.Length <= 7 || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            presented = value[7..].Trim(' ');
        }
        else if (request.Headers.TryGetValue("X-API-Key", out var header) && header.Count > 0)
        {
            presented = header.ToString();
        }
        else
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }
}
