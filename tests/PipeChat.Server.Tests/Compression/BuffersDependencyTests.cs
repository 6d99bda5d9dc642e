using System.Reflection;
using PipeChat.Server.Buffers;

namespace PipeChat.Server.Tests.Compression;

/// <summary>Compression uses Buffers, never the reverse: no Buffers type names a Compression type in its fields or signatures.</summary>
public sealed class BuffersDependencyTests
{
    [Fact]
    public void Buffers_types_name_no_compression_type()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var buffers = typeof(SharedFrame).Assembly.GetTypes().Where(t => t.Namespace == typeof(SharedFrame).Namespace);
        var named = buffers.SelectMany(type =>
                type.GetFields(All).Select(f => (Where: $"{type.Name}.{f.Name}", f.FieldType))
                    .Concat(type.GetMethods(All).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)
                        .Select(t => (Where: $"{type.Name}.{m.Name}", t)))))
            .Where(x => x.Item2.Namespace == "PipeChat.Server.Compression")
            .Select(x => x.Where)
            .ToList();

        Assert.Empty(named);
    }
}
