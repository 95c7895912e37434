using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace TreatmentLedger.Api.Security;

/// <summary>
/// The ledger's own token signing key (RSA, RS256), for the embedded default: made on first use and kept in the data
/// folder (LEDGER_DATA) as a PEM file only its owner can read. <c>ops/token</c> signs with it; the API verifies with it.
/// </summary>
public static class SigningKey
{
    public const string FileName = "signing-key.pem";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>The key in <paramref name="dataDirectory"/>, made there first when there is none.</summary>
    public static RsaSecurityKey LoadOrCreate(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(dataDirectory);
            using var made = RSA.Create(2048);
            var pem = made.ExportPkcs8PrivateKeyPem();
            // Written under another name, then moved: two processes starting at once never read half a key.
            var partial = path + "." + Guid.NewGuid().ToString("N");
            File.WriteAllText(partial, pem);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                File.Move(partial, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(partial);
            }
        }
        return FromPem(File.ReadAllText(path), path);
    }

    /// <summary>A PEM key (private, or public only to verify), its key id derived from its public part.</summary>
    public static RsaSecurityKey FromPem(string pem, string source)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{source} holds no RSA key in PEM form: {e.Message}", e);
        }
        var id = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new RsaSecurityKey(rsa) { KeyId = id };
    }
}
