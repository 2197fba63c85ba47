using System.Text;
using Canary.Sidecar.Wire;
using Envoy.Config.Core.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Canary.Sidecar.UnitTests.Wire;

public sealed class MetadataContextReaderTests
{
    private const string JwtAuthn = "envoy.filters.http.jwt_authn";

    private static readonly byte[][] SubPath = Path("jwt_payload", "sub");

    private static byte[][] Path(params string[] keys) => [.. keys.Select(Encoding.UTF8.GetBytes)];

    private static byte[] Metadata(string metadataNamespace, Struct value)
    {
        var metadata = new Metadata();
        metadata.FilterMetadata.Add(metadataNamespace, value);
        return metadata.ToByteArray();
    }

    private static Struct Payload(Value sub)
    {
        var payload = new Struct();
        payload.Fields["iss"] = Value.ForString("https://issuer.example");
        payload.Fields["sub"] = sub;
        var root = new Struct();
        root.Fields["jwt_payload"] = Value.ForStruct(payload);
        return root;
    }

    private static string? Read(byte[] metadata, string metadataNamespace, byte[][] path) =>
        MetadataContextReader.TryReadString(metadata, Encoding.UTF8.GetBytes(metadataNamespace), path, out var value)
            ? Encoding.UTF8.GetString(value)
            : null;

    [Fact]
    public void TryReadString_NestedString_Found()
    {
        var metadata = Metadata(JwtAuthn, Payload(Value.ForString("user-42")));

        Assert.Equal("user-42", Read(metadata, JwtAuthn, SubPath));
        Assert.Equal("https://issuer.example", Read(metadata, JwtAuthn, Path("jwt_payload", "iss")));
    }

    [Fact]
    public void TryReadString_AmongOtherNamespaces_ReadsOnlyTheConfiguredOne()
    {
        var metadata = new Metadata();
        metadata.FilterMetadata.Add("envoy.lb", Payload(Value.ForString("wrong")));
        metadata.FilterMetadata.Add(JwtAuthn, Payload(Value.ForString("right")));
        metadata.FilterMetadata.Add("zzz", Payload(Value.ForString("wrong too")));

        Assert.Equal("right", Read(metadata.ToByteArray(), JwtAuthn, SubPath));
    }

    [Theory]
    [InlineData("number")]
    [InlineData("bool")]
    [InlineData("null")]
    [InlineData("struct")]
    [InlineData("list")]
    [InlineData("empty string")]
    public void TryReadString_NotANonEmptyString_Absent(string kind)
    {
        var sub = kind switch
        {
            "number" => Value.ForNumber(42),
            "bool" => Value.ForBool(true),
            "null" => Value.ForNull(),
            "struct" => Value.ForStruct(new Struct()),
            "list" => Value.ForList(Value.ForString("a")),
            _ => Value.ForString(""),
        };

        Assert.Null(Read(Metadata(JwtAuthn, Payload(sub)), JwtAuthn, SubPath));
    }

    [Fact]
    public void TryReadString_MissingNamespaceKeyOrIntermediateString_Absent()
    {
        var metadata = Metadata(JwtAuthn, Payload(Value.ForString("user-42")));

        Assert.Null(Read(metadata, "envoy.filters.http.other", SubPath));
        Assert.Null(Read(metadata, JwtAuthn, Path("jwt_payload", "email")));
        Assert.Null(Read(metadata, JwtAuthn, Path("jwt_payload", "sub", "deeper")));
        Assert.Null(Read([], JwtAuthn, SubPath));
    }

    [Fact]
    public void TryReadString_KeyRepeatedOnTheWire_LastEntryWinsAsInAnyProtobufMap()
    {
        // Two map entries for one namespace and for one key, as a writer that concatenates messages produces.
        var metadata = Metadata(JwtAuthn, Payload(Value.ForString("first"))).Concat(Metadata(JwtAuthn, Payload(Value.ForString("second")))).ToArray();

        Assert.Equal("second", Envoy.Config.Core.V3.Metadata.Parser.ParseFrom(metadata).FilterMetadata[JwtAuthn].Fields["jwt_payload"].StructValue.Fields["sub"].StringValue);
        Assert.Equal("second", Read(metadata, JwtAuthn, SubPath));
    }

    [Fact]
    public void TryReadString_TruncatedBytes_AbsentNeverThrows()
    {
        var metadata = Metadata(JwtAuthn, Payload(Value.ForString("user-42")));
        for (var length = 0; length < metadata.Length; length++)
        {
            var truncated = metadata[..length];
            var read = Read(truncated, JwtAuthn, SubPath);
            Assert.True(read is null || read.Length > 0);
        }
    }

    [Fact]
    public void TryReadString_Found_AllocatesNothing()
    {
        var metadata = Metadata(JwtAuthn, Payload(Value.ForString("user-42")));
        var metadataNamespace = Encoding.UTF8.GetBytes(JwtAuthn);
        AllocationAssert.None(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True(MetadataContextReader.TryReadString(metadata, metadataNamespace, SubPath, out _));
            }
        });
    }
}
