using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sark.Cli.Output;

/// <summary>
/// Opens an existing file without ever waiting. .NET opens a named pipe (FIFO) for writing with a
/// blocking open(2), which waits until some process opens it for reading: with no reader a report
/// target checked that way would hang sark forever. open(2) with O_NONBLOCK fails at once
/// (ENXIO) instead, and is the same as a plain open for a regular file or a device.
/// </summary>
internal static partial class NonBlockingOpen
{
    // Linux values (x86-64 and arm64 share them): sark's embedded server and its tests run on Linux.
    private const int ReadOnly = 0x0;
    private const int WriteOnly = 0x1;
    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int GetFlags = 3;
    private const int SetFlags = 4;

    /// <summary>errno ENXIO: a FIFO opened for writing has no reader.</summary>
    public const int NoReader = 6;

    /// <summary>Opens <paramref name="path"/> for writing (never creating or truncating it); the errno on failure.</summary>
    public static SafeFileHandle? TryOpenForWrite(string path, out int errno) => TryOpen(path, WriteOnly, out errno);

    /// <summary>Opens <paramref name="path"/> for reading without waiting for a writer (tests open a FIFO's reading end this way).</summary>
    public static SafeFileHandle? TryOpenForRead(string path, out int errno) => TryOpen(path, ReadOnly, out errno);

    /// <summary>What <paramref name="errno"/> means, as the C library says it.</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>
    /// Makes writes wait again: a pipe that is full would otherwise fail the write (EAGAIN) instead
    /// of waiting for the reader to catch up.
    /// </summary>
    public static void MakeBlocking(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var fd = (int)handle.DangerousGetHandle();
        var flags = Fcntl(fd, GetFlags, 0);
        if (flags < 0 || Fcntl(fd, SetFlags, flags & ~NonBlock) < 0)
        {
            throw new IOException(Describe(Marshal.GetLastPInvokeError()));
        }
    }

    private static SafeFileHandle? TryOpen(string path, int access, out int errno)
    {
        var fd = Open(path, access | NonBlock | CloseOnExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
