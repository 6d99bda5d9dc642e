using System.Text;
using System.Text.RegularExpressions;

namespace PipeChat.Server.Tests.Docs;

/// <summary>
/// Every relative link in the README, docs/ and the other Markdown files of the repository points
/// at a file or folder that exists, and a link to a heading (<c>#anchor</c>) at a heading that
/// exists (GitHub's anchor rules).
/// </summary>
public sealed partial class DocLinkTests
{
    public static TheoryData<string> MarkdownFiles()
    {
        var root = RepositoryRoot();
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                     .Where(f => !f.Split('/').Any(part => part is "node_modules" or "bin" or "obj" or "artifacts" or "miniprogram_npm" || part.StartsWith('.')))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Relative_links_resolve(string file)
    {
        var root = RepositoryRoot();
        var path = Path.Combine(root, file);
        var broken = new List<string>();
        foreach (var target in Links(File.ReadAllText(path)))
        {
            if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is not "file")
            {
                continue; // http(s), mailto: not checked here
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var linkPath = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = linkPath.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(linkPath)));
            if (!resolved.StartsWith(root, StringComparison.Ordinal))
            {
                broken.Add($"{target} (outside the repository)");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target} (no such file)");
            }
            else if (anchor is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target} (no heading with that anchor)");
            }
        }

        Assert.True(broken.Count == 0, $"{file}: broken links:\n  " + string.Join("\n  ", broken));
    }

    /// <summary>Link targets of inline links and reference definitions, outside code blocks and code spans.</summary>
    private static IEnumerable<string> Links(string markdown)
    {
        var text = CodeBlock().Replace(markdown, "");
        text = CodeSpan().Replace(text, "");
        foreach (Match match in InlineLink().Matches(text))
        {
            yield return match.Groups["target"].Value;
        }

        foreach (Match match in ReferenceDefinition().Matches(text))
        {
            yield return match.Groups["target"].Value;
        }
    }

    /// <summary>The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match match in Heading().Matches(CodeBlock().Replace(markdown, "")))
        {
            var title = match.Groups["title"].Value.Trim();
            title = LinkText().Replace(title, "${text}");
            var slug = new StringBuilder();
            foreach (var c in title.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            if (counts.TryGetValue(anchor, out var seen))
            {
                counts[anchor] = seen + 1;
                anchors.Add($"{anchor}-{seen}");
            }
            else
            {
                counts[anchor] = 1;
                anchors.Add(anchor);
            }
        }

        foreach (Match match in HtmlAnchor().Matches(markdown))
        {
            anchors.Add(match.Groups["id"].Value);
        }

        return anchors;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PipeChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (PipeChat.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*(```|~~~).*?^\s*\1", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"`[^`\n]+`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(?<!\!)\[(?:[^\[\]]|\[[^\]]*\])*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex LinkText();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<id>[^""]+)""")]
    private static partial Regex HtmlAnchor();
}
