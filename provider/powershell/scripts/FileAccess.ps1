function Get-AbsolutePath($map, [string]$name) {
    $path = Get-Text $map $name
    $expected = Test-AbsolutePath $path $WindowsPaths
    if ($expected -ne '') { Stop-Operation 'badRequest' ('the request field "' + $name + '" must be ' + $expected) }
    return $path
}

# The file a request is about: its path (the user's configPath), or the one IIS uses.
function Get-ConfigFile($request) {
    if ($request.ContainsKey('path')) { return @{ path = (Get-AbsolutePath $request 'path'); source = 'configPath' } }
    return Find-ApplicationHost (Get-WindowsFolder $env:windir)
}

# Opens the file for reading. Under Shared Configuration a share this account cannot open is the
# likely failure, and the exception alone does not say why the file is on a share.
# A file that is gone from a folder that is still there is reported with missing = 'file': the
# settings in it went with it (a share that cannot be reached is never that).
function Open-ConfigFile($file, [System.IO.FileShare]$sharing) {
    try { return [System.IO.File]::Open($file.path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, $sharing) }
    catch {
        $inner = $_.Exception
        if ($inner.InnerException) { $inner = $inner.InnerException }
        if ($inner -is [System.IO.FileNotFoundException] -and [System.IO.Directory]::Exists([System.IO.Path]::GetDirectoryName($file.path))) {
            Stop-Operation 'notFound' ($file.path + ': no such file (its folder exists)') @{ path = $file.path; missing = 'file' }
        }
        if ($file.source -ne 'sharedConfiguration') { throw }
        $reason = $_.Exception
        if ($reason.InnerException) { $reason = $reason.InnerException }
        Stop-Operation (ConvertTo-Failure $_).error ('IIS Shared Configuration is enabled (' + $file.redirection + '), so applicationHost.config is ' + $file.path + ' on the share ' + $file.share + ', which cannot be opened with the credentials of the account the provider connects as (' + $reason.Message.TrimEnd('.') + '). That account needs read and write access to ' + $file.share + ' (share and file permissions); the provider does not use the userName and password stored in redirection.config. WinRM sessions with NTLM, Basic or certificate authentication cannot pass credentials on to a file server (the second hop): then connect to the file server and give configPath.') @{ path = $file.path }
    }
}

# The whole file, but nothing past MaxConfigBytes: a device such as /dev/zero never ends, and no
# applicationHost.config comes close. (Device paths are refused before the script runs; a pipe is
# read like a file, which this project's tests use to hold a write at a chosen moment.)
# 256 MiB: MAX_CONFIG_BYTES in provider/stores/configFile.ts (a test holds them equal).
$MaxConfigBytes = 268435456
function Read-Bytes([System.IO.Stream]$stream, [string]$path) {
    if ($stream.CanSeek -and $stream.Length -gt $MaxConfigBytes) { Stop-Operation 'badRequest' ($path + ': ' + $stream.Length + ' bytes, more than the ' + $MaxConfigBytes + ' bytes (256 MiB) any applicationHost.config needs; refusing to read it') @{ path = $path } }
    $memory = New-Object System.IO.MemoryStream
    $buffer = New-Object byte[] 65536
    while (($count = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) {
        $memory.Write($buffer, 0, $count)
        if ($memory.Length -gt $MaxConfigBytes) { Stop-Operation 'badRequest' ($path + ': more than ' + $MaxConfigBytes + ' bytes (256 MiB) read and not at its end, so not a regular applicationHost.config; refusing it') @{ path = $path } }
    }
    return ,$memory.ToArray()
}

# The CryptoServiceProvider class: SHA256Managed throws on servers in FIPS mode.
function Get-Sha256Hex([byte[]]$bytes) {
    $sha = New-Object System.Security.Cryptography.SHA256CryptoServiceProvider
    try { $hash = $sha.ComputeHash($bytes) } finally { $sha.Dispose() }
    return [BitConverter]::ToString($hash).Replace('-', '').ToLowerInvariant()
}

# "content:" and the bytes' base64, then a line end, in pieces of a multiple of 3 bytes (so the
# pieces' base64 joins up without padding in between).
function Write-ContentLine([System.IO.Stream]$stream, [byte[]]$content) {
    $ascii = [System.Text.Encoding]::ASCII
    $prefix = $ascii.GetBytes('content:')
    $stream.Write($prefix, 0, $prefix.Length)
    $piece = 3 * 262144
    for ($offset = 0; $offset -lt $content.Length; $offset += $piece) {
        $encoded = $ascii.GetBytes([Convert]::ToBase64String($content, $offset, [Math]::Min($piece, $content.Length - $offset)))
        $stream.Write($encoded, 0, $encoded.Length)
    }
    $stream.WriteByte(10)
}
