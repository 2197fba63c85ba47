using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Canary.Sidecar.Model;
using Canary.Sidecar.ModelRewrite;
using Canary.Sidecar.Wire;

namespace Canary.Sidecar.UnitTests.ModelRewrite;

public sealed class ModelRewritePropertyTests
{
    private const int Documents = 3000;

    private static readonly ModelName[] Names =
    [
        new("gpt-5"),
        new("claude-sonnet-4-20250514"),
        new("we\"ird\\model\n"),
        new("模型-😀"),
        new("a"),
    ];

    [Fact]
    public void Rewrite_RandomDocumentWithTopLevelModel_ChangesOnlyTheModelValue()
    {
        var rewritten = 0;
        for (var seed = 0; seed < Documents; seed++)
        {
            var document = RandomJsonDocument.Generate(seed, TopLevelModelShape.SingleString);
            var target = Names[seed % Names.Length];
            using (JsonDocument.Parse(document.Bytes))
            {
                // The generator must produce valid JSON, or the property says nothing.
            }

            using var output = new PooledBufferWriter();
            var result = ModelBodyRewriter.Rewrite(document.Bytes, new ModelRewriteRule(null, target), ModelRewriteLimits.Default, output);

            if (document.Value == target.Name)
            {
                Assert.Equal(ModelRewriteResult.AlreadyTarget, result);
                continue;
            }

            Assert.True(result == ModelRewriteResult.Rewritten, $"seed {seed}: {result} for {Encoding.UTF8.GetString(document.Bytes)}");
            var expected = Splice(document.Bytes, document.ValueStart, document.ValueEnd, target.JsonLiteral);
            Assert.True(expected.AsSpan().SequenceEqual(output.WrittenSpan), $"seed {seed}: {Encoding.UTF8.GetString(output.WrittenSpan)}");
            using var parsed = JsonDocument.Parse(output.WrittenMemory);
            Assert.Equal(target.Name, TopLevelModel(parsed.RootElement));
            rewritten++;
        }

        Assert.True(rewritten > Documents * 9 / 10);
    }

    [Fact]
    public void Rewrite_RandomDocumentWithSourceRule_RewritesOnlyTheSourceModel()
    {
        for (var seed = 0; seed < Documents / 3; seed++)
        {
            var document = RandomJsonDocument.Generate(seed, TopLevelModelShape.SingleString);
            if (document.Value.Length == 0 || document.Value == Names[0].Name || HasLoneSurrogate(document.Value))
            {
                continue;
            }

            var matching = new ModelRewriteRule(new ModelName(document.Value), Names[0]);
            var other = new ModelRewriteRule(new ModelName(document.Value + "x"), Names[0]);
            using var output = new PooledBufferWriter();

            Assert.Equal(ModelRewriteResult.OtherModel, ModelBodyRewriter.Rewrite(document.Bytes, other, ModelRewriteLimits.Default, output));
            Assert.Equal(0, output.WrittenCount);
            Assert.Equal(ModelRewriteResult.Rewritten, ModelBodyRewriter.Rewrite(document.Bytes, matching, ModelRewriteLimits.Default, output));
            var expected = Splice(document.Bytes, document.ValueStart, document.ValueEnd, Names[0].JsonLiteral);
            Assert.True(expected.AsSpan().SequenceEqual(output.WrittenSpan), $"seed {seed}");
        }
    }

    [Theory]
    [InlineData(nameof(TopLevelModelShape.Missing))]
    [InlineData(nameof(TopLevelModelShape.NestedOnly))]
    [InlineData(nameof(TopLevelModelShape.NotString))]
    [InlineData(nameof(TopLevelModelShape.Duplicate))]
    public void Rewrite_RandomDocumentWithoutSingleTopLevelModel_LeavesItAlone(string shapeName)
    {
        var shape = Enum.Parse<TopLevelModelShape>(shapeName);
        for (var seed = 0; seed < Documents / 3; seed++)
        {
            var document = RandomJsonDocument.Generate(seed, shape);
            using (JsonDocument.Parse(document.Bytes))
            {
            }

            var expected = shape switch
            {
                TopLevelModelShape.Missing => document.HasNestedModel ? ModelRewriteResult.ModelOnlyNested : ModelRewriteResult.NoModel,
                TopLevelModelShape.NestedOnly => ModelRewriteResult.ModelOnlyNested,
                TopLevelModelShape.NotString => ModelRewriteResult.ModelNotString,
                _ => ModelRewriteResult.DuplicateModel,
            };
            using var output = new PooledBufferWriter();

            var result = ModelBodyRewriter.Rewrite(document.Bytes, new ModelRewriteRule(null, Names[0]), ModelRewriteLimits.Default, output);

            Assert.True(expected == result, $"seed {seed}: {result}, expected {expected}, for {Encoding.UTF8.GetString(document.Bytes)}");
            Assert.Equal(0, output.WrittenCount);
        }
    }

    [Fact]
    public void Scan_RandomlyDamagedDocuments_IsNotJsonExactlyWhenJsonDocumentRejects()
    {
        var random = new Random(20261126);
        ReadOnlySpan<byte> insertable = "{}[]\",:\\ 0-e.tfnu"u8;
        var rejected = 0;
        for (var seed = 0; seed < Documents; seed++)
        {
            var bytes = RandomJsonDocument.Generate(seed, TopLevelModelShape.SingleString).Bytes.ToList();
            var edits = random.Next(1, 3);
            for (var e = 0; e < edits && bytes.Count > 0; e++)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, insertable[random.Next(insertable.Length)]);
                        break;
                    default:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                }
            }

            var body = bytes.ToArray();
            var valid = IsValidJson(body);

            var result = ModelFieldScanner.Scan(body, Names[0].Utf8, default, ModelRewriteLimits.Default, out _);

            Assert.True(valid == (result != ModelRewriteResult.NotJson), $"seed {seed}: {result} for {Encoding.UTF8.GetString(body)}");
            rejected += valid ? 0 : 1;
        }

        Assert.True(rejected > Documents / 2);
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsValidJson(byte[] body)
    {
        if (!Utf8.IsValid(body))
        {
            return false;
        }

        try
        {
            using (JsonDocument.Parse(body))
            {
                return true;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? TopLevelModel(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("model"))
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    private static byte[] Splice(byte[] original, int start, int end, byte[] replacement)
    {
        var result = new byte[original.Length - (end - start) + replacement.Length];
        original.AsSpan(0, start).CopyTo(result);
        replacement.CopyTo(result.AsSpan(start));
        original.AsSpan(end).CopyTo(result.AsSpan(start + replacement.Length));
        return result;
    }
}
