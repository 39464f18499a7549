function Invoke-Operation($request) {
    $file = Get-ConfigFile $request
    # Shared, so IIS can go on reading and writing its configuration meanwhile.
    $stream = Open-ConfigFile $file ([System.IO.FileShare]'ReadWrite, Delete')
    try { $bytes = Read-Bytes $stream $file.path } finally { $stream.Dispose() }
    return [ordered]@{ ok = $true; path = $file.path; source = $file.source; sha256 = (Get-Sha256Hex $bytes); content = $bytes }
}
