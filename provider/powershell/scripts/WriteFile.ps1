function Invoke-Operation($request) {
    $file = Get-ConfigFile $request
    $path = $file.path
    $suffix = Get-Text $request 'backupSuffix'
    if ($suffix -cnotmatch '^\.[A-Za-z0-9._-]+$') { Stop-Operation 'badRequest' 'backupSuffix must be a dot followed by letters, digits, dots, dashes or underscores' }
    $backupPath = $path + $suffix
    $expected = Get-Text $request 'expectedSha256'
    if ($expected -cnotmatch '^[0-9a-f]{64}$') { Stop-Operation 'badRequest' 'expectedSha256 must be 64 lowercase hex digits' }
    if (-not $request.ContainsKey('content')) { Stop-Operation 'badRequest' 'the request has no content field' }
    $content = [byte[]]$request['content']

    $target = $null
    $tempStream = $null
    $temp = $null
    $replacedPath = $null
    try {
        # Readers (IIS) go on; writers wait until the replace is done. File.Replace opens the
        # target for read and delete, which this sharing mode allows.
        $target = Open-ConfigFile $file ([System.IO.FileShare]'Read, Delete')
        $actual = Get-Sha256Hex (Read-Bytes $target $path)
        if ($actual -cne $expected) {
            Stop-Operation 'conflict' ($path + ' changed since it was read: expected SHA-256 ' + $expected + ', found ' + $actual) @{ actualSha256 = $actual; path = $path }
        }
        # Same folder, so the replace is a rename on one volume and never copies.
        $stem = [System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($path), [System.IO.Path]::GetFileName($path) + '.' + [Guid]::NewGuid().ToString('N'))
        $temp = $stem + '.tmp'
        # The replaced file goes to a name of this writer's own first: a writer racing this one
        # cannot take it, and what it holds is exactly what this replace replaced.
        $replacedPath = $stem + '.replaced'
        $tempStream = [System.IO.File]::Open($temp, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
        $tempStream.Write($content, 0, $content.Length)
        $tempStream.Flush($true)
        $tempStream.Dispose()
        $tempStream = $null
        try {
            # Atomic for readers; keeps the target's ACL.
            [System.IO.File]::Replace($temp, $path, $replacedPath)
        } catch {
            # ReplaceFile's ERROR_UNABLE_TO_MOVE_REPLACEMENT_2 leaves the original under the backup name.
            if (-not [System.IO.File]::Exists($path) -and [System.IO.File]::Exists($replacedPath)) { [System.IO.File]::Move($replacedPath, $path) }
            throw
        }
        $temp = $null
        # The open target stops writers that write in place, not one that renames its own file
        # onto the path (delete sharing allows that): if one did since the check, its file is now
        # the one replaced. Put it back; our content is discarded and the caller reads again.
        $replaced = Get-Sha256Hex ([System.IO.File]::ReadAllBytes($replacedPath))
        if ($replaced -cne $expected) {
            [System.IO.File]::Replace($replacedPath, $path, [NullString]::Value)
            Stop-Operation 'conflict' ($path + ' was replaced by another writer during the write (found SHA-256 ' + $replaced + ', expected ' + $expected + '); its file was put back') @{ actualSha256 = $replaced; path = $path }
        }
        # The replaced content becomes the backup. Best effort: a writer racing for the name leaves
        # its own replaced content there instead, the version just before its write.
        try {
            if ([System.IO.File]::Exists($backupPath)) { [System.IO.File]::Delete($backupPath) }
            [System.IO.File]::Move($replacedPath, $backupPath)
        } catch { }
    } finally {
        if ($tempStream -ne $null) { $tempStream.Dispose() }
        if ($target -ne $null) { $target.Dispose() }
        if ($temp -ne $null) { try { [System.IO.File]::Delete($temp) } catch { } }
        if ($replacedPath -ne $null -and [System.IO.File]::Exists($replacedPath) -and [System.IO.File]::Exists($path)) { try { [System.IO.File]::Delete($replacedPath) } catch { } }
    }
    return [ordered]@{ ok = $true; path = $path; source = $file.source; sha256 = (Get-Sha256Hex $content) }
}
