using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace LicenseHub.Data.Sqlite;

/// <summary>
/// What a SQLite connection does while another holds the lock it needs: retry every millisecond until
/// the timeout. SQLite's own handler (busy_timeout) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms
/// between tries, so a lock held for 3 ms cost its waiters 8 ms and one held for 20 ms cost them 53 ms:
/// the tail of the check-in latency. SQLitePCLRaw has no binding for sqlite3_busy_handler, so it is
/// called directly in the SQLite library Microsoft.Data.Sqlite loaded.
/// </summary>
public static unsafe partial class SqliteBusyHandler
{
    private const int SqliteOk = 0;

    private static long s_retries;

    /// <summary>Retries so far, over every connection of the process (diagnostics).</summary>
    public static long Retries => Interlocked.Read(ref s_retries);

    public static void Install(SqliteConnection connection, TimeSpan timeout)
    {
        // The argument is the number of tries: one per millisecond, Thread.Sleep(1) sleeping at least that.
        var tries = (nint)Math.Max(1, (long)timeout.TotalMilliseconds);
        var rc = sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), &Retry, tries);
        if (rc != SqliteOk)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Retry(nint tries, int count)
    {
        if (count >= tries)
        {
            return 0;
        }
        Interlocked.Increment(ref s_retries);
        Thread.Sleep(1);
        return 1;
    }

    [LibraryImport("e_sqlite3")]
    private static partial int sqlite3_busy_handler(nint db, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);
}
