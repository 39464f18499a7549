# Whether attribute text already means $value, compared as values the way the provider compares
# them ("True" is true, " 0100" is 100, "0:10" is ten minutes). Text that does not parse differs.
function Test-SameValue([string]$name, [string]$text, $value) {
    try { return ((ConvertTo-SessionValue $name $text.Trim()) -eq $value) }
    catch { return $false }
}

# Why an attribute set to $value does not read back as asked ($asked), or ''; it says what was
# found: the text at the location, or the value IIS applies there when that differs.
function Get-ReadBackProblem([string]$name, [string]$asked, $value, $state) {
    $actual = $state['explicit'][$name]
    $applied = $state['effective'][$name]
    if ($null -eq $actual) { return 'is not set, expected "' + $asked + '"' }
    if (-not (Test-SameValue $name $actual $value)) { return 'reads back as "' + $actual + '", expected "' + $asked + '"' }
    if (-not (Test-SameValue $name ([string]$applied) $value)) { return 'is "' + $actual + '" as asked, but IIS applies ' + $applied + ' there' }
    return ''
}

function Invoke-Operation($request) {
    $location = Get-Location $request
    if (-not $request.ContainsKey('set') -or $request['set'] -isnot [System.Collections.IDictionary]) {
        Stop-Operation 'badRequest' 'the request field "set" must be an object'
    }
    if (-not $request.ContainsKey('remove') -or $request['remove'] -isnot [System.Array]) {
        Stop-Operation 'badRequest' 'the request field "remove" must be an array'
    }
    # Everything is checked before IIS is touched.
    $values = [ordered]@{}
    foreach ($name in $request['set'].Keys) {
        if ($SessionAttributes -cnotcontains $name) {
            Stop-Operation 'badRequest' ('unknown session attribute "' + $name + '"; expected allowSessionState, keepSessionIdSecure, max or timeout')
        }
        $values[$name] = ConvertTo-SessionValue $name $request['set'][$name]
    }
    $remove = @()
    foreach ($name in $request['remove']) {
        if ($name -isnot [string] -or $SessionAttributes -cnotcontains $name) {
            Stop-Operation 'badRequest' ('cannot remove "' + $name + '"; expected allowSessionState, keepSessionIdSecure, max or timeout')
        }
        if ($values.Contains($name)) { Stop-Operation 'badRequest' ($name + ' is both set and removed') }
        $remove += $name
    }
    Assert-NativeProcess $env:PROCESSOR_ARCHITEW6432
    # Only what differs is set and only what is there is removed, so a request that changes
    # nothing commits nothing: applicationHost.config is not rewritten and IIS keeps no history
    # snapshot of it.
    $changes = 0
    $manager = New-ServerManager
    try {
        $session = Get-SessionElement $manager $location.Trim('/')
        $before = Read-State $location $manager
        # IIS would go on applying the web.config's value: refused before anything is set.
        $overridden = [string[]]@($values.Keys | Where-Object { $before['overridden'] -contains $_ })
        if ($overridden) { Stop-Operation 'overridden' 'a web.config sets them' @{ attributes = $overridden } }
        foreach ($name in $values.Keys) {
            if ($before['explicit'].Contains($name) -and (Test-SameValue $name $before['explicit'][$name] $values[$name])) { continue }
            $session.SetAttributeValue($name, $values[$name])
            $changes++
        }
        foreach ($name in $remove) {
            if ($before['explicit'].Contains($name)) { $session.GetAttribute($name).Delete(); $changes++ }
        }
        # Writes applicationHost.config, as appcmd /commit:apphost does.
        if ($changes -gt 0) {
            try { $manager.CommitChanges() }
            catch {
                # Another writer changed the file since this ServerManager read it: IIS says so with
                # a FileLoadException ("Cannot commit configuration changes because the file has
                # changed on disk"), or a sharing or lock violation (HRESULT_FROM_WIN32 of 32, 33) while it writes.
                for ($e = $_.Exception; $null -ne $e; $e = $e.InnerException) {
                    if ($e -is [System.IO.FileLoadException] -or ($e.HResult -in 0x80070020, 0x80070021)) { Stop-Operation 'conflict' 'IIS did not commit: the file changed on disk' @{ path = $before['configFile'] } }
                }
                throw
            }
        }
    } finally { $manager.Dispose() }

    # Read back through a new ServerManager, so nothing cached from the write can answer.
    $state = Read-State $location
    # A failure from here on comes after the commit: the caller must know what it replaced.
    $committed = @{ committed = ($changes -gt 0); before = $before }
    foreach ($name in $values.Keys) {
        $problem = Get-ReadBackProblem $name $request['set'][$name] $values[$name] $state
        if ($problem -ne '') { Stop-Operation 'verifyFailed' ('after the commit, ' + $name + ' at ' + $state['configPath'] + ' ' + $problem) (@{ attribute = $name; expected = $request['set'][$name]; actual = [string]$state['explicit'][$name] } + $committed) }
    }
    foreach ($name in $remove) {
        if ($state['explicit'].Contains($name)) {
            Stop-Operation 'verifyFailed' ('after the commit, ' + $name + ' is still set at ' + $state['configPath'] + ' ("' + $state['explicit'][$name] + '")') (@{ attribute = $name; expected = '(removed)'; actual = $state['explicit'][$name] } + $committed)
        }
    }
    $state['before'] = $before
    $state['changed'] = $changes -gt 0
    $state['verified'] = $true
    return $state
}
