using Sark.Cli.Output;
using Sark.Data.Errors;

namespace Sark.Cli.Commands;

/// <summary>
/// Reads a <c>--cert</c> file of <c>sark federation</c>. Opened without waiting (a named pipe that
/// nobody writes to would otherwise hang the command, deaf to SIGTERM) and read only up to the
/// limit (a device such as /dev/zero never ends and reports no length). A file that is not a
/// readable certificate file is a usage error naming it; its content is never repeated.
/// </summary>
internal static class CertificateFile
{
    /// <summary>As FederationRegistry accepts: at most this many bytes of PEM.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"certificate file '{path}' is a folder; expected a file holding one PEM certificate");
        }

        using var handle = NonBlockingOpen.TryOpenForRead(Path.GetFullPath(path), out var errno) ?? throw CannotRead(path, errno);
        NonBlockingOpen.MakeBlocking(handle);
        await using var stream = new FileStream(handle, FileAccess.Read, 1);
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > MaxBytes)
        {
            throw new UsageException($"certificate file '{path}' is larger than {MaxBytes / 1024} KiB; expected one PEM certificate");
        }

        // DER starts with a SEQUENCE (0x30); PEM is text. Saying which it is saves a guess.
        if (length > 0 && buffer[0] == 0x30 && Array.IndexOf(buffer, (byte)0, 0, length) >= 0)
        {
            throw new UsageException($"certificate file '{path}' looks like a binary (DER) certificate; expected PEM text (convert it with: openssl x509 -inform der -in FILE -out FILE.pem)");
        }

        return new System.Text.UTF8Encoding(false).GetString(buffer, 0, length).TrimStart('\uFEFF');
    }

    private static UsageException CannotRead(string path, int errno) => errno switch
    {
        2 => new UsageException($"cannot read certificate file '{path}': no such file"),
        13 => new UsageException($"cannot read certificate file '{path}': permission denied"),
        _ => new UsageException($"cannot read certificate file '{path}': {NonBlockingOpen.Describe(errno)}"),
    };
}
