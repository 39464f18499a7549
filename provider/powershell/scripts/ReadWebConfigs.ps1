# The web.config files IIS would read on the way to a location, as <sites> names their folders:
# environment variables expanded on this server (what IIS does), each file's bytes, or "missing"
# (its folder is there, the file is not: nothing is set there), or why it cannot be read. No file
# is opened for writing, and IIS may go on reading and writing meanwhile.
# web.config is at most 250 KB unless IIS's maxWebConfigFileSizeInKB says more; 16 MiB is past any.
$MaxWebConfigBytes = 16777216
function Read-WebConfig([string]$file) {
    $path = [Environment]::ExpandEnvironmentVariables($file)
    $entry = [ordered]@{ file = $file; path = $path }
    if ($path -match '%[^%\\]+%') {
        $entry['state'] = 'unreadable'
        $entry['reason'] = 'the environment variable ' + $Matches[0] + ' is not set on this server'
        return $entry
    }
    if (-not [System.IO.Path]::IsPathRooted($path)) {
        $entry['state'] = 'unreadable'
        $entry['reason'] = 'not an absolute path'
        return $entry
    }
    try {
        if (-not [System.IO.File]::Exists($path)) {
            if ([System.IO.Directory]::Exists([System.IO.Path]::GetDirectoryName($path))) { $entry['state'] = 'missing' }
            else {
                $entry['state'] = 'unreadable'
                $entry['reason'] = 'its folder does not exist or cannot be seen by this account'
            }
            return $entry
        }
        $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]'ReadWrite, Delete')
        try {
            if ($stream.Length -gt $MaxWebConfigBytes) {
                $entry['state'] = 'unreadable'
                $entry['reason'] = [string]$stream.Length + ' bytes, more than any web.config holds'
                return $entry
            }
            $bytes = New-Object byte[] $stream.Length
            $read = 0
            while ($read -lt $bytes.Length) {
                $count = $stream.Read($bytes, $read, $bytes.Length - $read)
                if ($count -le 0) { break }
                $read += $count
            }
        } finally { $stream.Dispose() }
        $entry['state'] = 'read'
        $entry['content'] = [Convert]::ToBase64String($bytes, 0, $read)
    } catch {
        $reason = $_.Exception
        if ($reason.InnerException) { $reason = $reason.InnerException }
        $entry['state'] = 'unreadable'
        $entry['reason'] = $reason.Message
    }
    return $entry
}

function Invoke-Operation($request) {
    $files = New-Object 'System.Collections.Generic.List[object]'
    foreach ($file in (Get-Text $request 'files').Split([char]10)) { $files.Add((Read-WebConfig $file)) }
    return [ordered]@{ ok = $true; files = $files.ToArray() }
}
