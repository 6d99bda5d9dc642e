namespace PipeChat.Server.Http.Api;

/// <summary>Stable problem codes of the server API (docs/api.md lists them).</summary>
internal static class ApiProblemCodes
{
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string TooLarge = "too_large";
    public const string BadJson = "bad_json";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal";
}
