$SessionAttributes = @('allowSessionState', 'keepSessionIdSecure', 'max', 'timeout')

function Get-Location($request) {
    $location = Get-Text $request 'location'
    if ($location -match '[\x00-\x1f]') { Stop-Operation 'badRequest' 'the location contains control characters' }
    return $location
}

# The .NET value IIS's API takes for an attribute's text; requests and read-backs share it.
function ConvertTo-SessionValue([string]$name, $text) {
    if ($text -isnot [string]) { Stop-Operation 'badRequest' ('the value for ' + $name + ' must be a string') }
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    try {
        if ($name -ceq 'max') { return [uint32]::Parse($text, [System.Globalization.NumberStyles]::None, $invariant) }
        if ($name -ceq 'timeout') { return [TimeSpan]::ParseExact($text, 'c', $invariant) }
        return [bool]::Parse($text)
    } catch {
        Stop-Operation 'badRequest' ('"' + $text + '" is not a valid ' + $name + ': ' + $_.Exception.Message)
    }
}

# 64-bit Windows shows a 32-bit process SysWOW64 in place of System32, and another IIS
# configuration. Windows sets PROCESSOR_ARCHITEW6432 (the machine's architecture) only in such
# processes (WOW64); pass $env:PROCESSOR_ARCHITEW6432.
function Assert-NativeProcess([string]$architectureW6432) {
    if (-not [string]::IsNullOrEmpty($architectureW6432)) {
        Stop-Operation 'iisUnavailable' 'this is 32-bit PowerShell; run %windir%\System32\WindowsPowerShell\v1.0\powershell.exe'
    }
}

# IIS's API reports effective values only (IsLocallyStored is per file, not per location), so the
# attributes set exactly at a location come from the file. Location paths are compared here,
# case-insensitively as IIS does, never by building an XPath from the request.
function Read-Explicit([string]$file, [string]$location) {
    $document = Read-Xml $file
    $containers = New-Object 'System.Collections.Generic.List[System.Xml.XmlElement]'
    if ($location -eq '') { $containers.Add($document.DocumentElement) }
    foreach ($element in $document.SelectNodes('/configuration/location')) {
        $path = $element.GetAttribute('path').Trim('/')
        if ($path -eq '.') { $path = '' }
        if ([string]::Equals($path, $location, [System.StringComparison]::OrdinalIgnoreCase)) { $containers.Add($element) }
    }
    $holders = New-Object 'System.Collections.Generic.List[System.Xml.XmlElement]'
    foreach ($container in $containers) {
        $asp = $container.SelectSingleNode('system.webServer/asp')
        if ($asp -ne $null) { $holders.Add($asp) }
    }
    if ($holders.Count -gt 1) {
        Stop-Operation 'ambiguousLocation' ('{0} elements for location "{1}" in {2} hold <asp>; IIS would edit only one of them. Merge them into one <location>.' -f $holders.Count, $location, $file)
    }
    $explicit = [ordered]@{}
    if ($holders.Count -eq 1) {
        $session = $holders[0].SelectSingleNode('session')
        if ($session -ne $null) {
            foreach ($name in $SessionAttributes) {
                if ($session.HasAttribute($name)) { $explicit[$name] = $session.GetAttribute($name) }
            }
        }
    }
    return $explicit
}

function New-ServerManager {
    $assembly = [System.IO.Path]::Combine($env:windir, 'System32', 'inetsrv', 'Microsoft.Web.Administration.dll')
    try { [void][System.Reflection.Assembly]::LoadFrom($assembly) }
    catch { Stop-Operation 'iisUnavailable' ('cannot load ' + $assembly + ' (is IIS installed?): ' + $_.Exception.Message) }
    return New-Object Microsoft.Web.Administration.ServerManager
}

function Get-SessionElement($manager, [string]$location) {
    $configuration = $manager.GetApplicationHostConfiguration()
    if ($location -eq '') { $section = $configuration.GetSection('system.webServer/asp') }
    else { $section = $configuration.GetSection('system.webServer/asp', $location) }
    return $section.GetChildElement('session')
}

# The values IIS applies at a session element: set there, inherited, or the schema's defaults.
function Read-Effective($session) {
    # A uint32 may come back as a signed 32-bit number (WMI shows the default as -1).
    $max = [Convert]::ToInt64($session.GetAttributeValue('max'))
    if ($max -lt 0) { $max += 4294967296 }
    $timeout = $session.GetAttributeValue('timeout')
    if ($timeout -isnot [TimeSpan]) { $timeout = [TimeSpan]::Parse([string]$timeout, [System.Globalization.CultureInfo]::InvariantCulture) }
    return [ordered]@{
        allowSessionState = [Convert]::ToBoolean($session.GetAttributeValue('allowSessionState'))
        keepSessionIdSecure = [Convert]::ToBoolean($session.GetAttributeValue('keepSessionIdSecure'))
        max = $max
        timeout = $timeout.ToString('c')
    }
}

# The attributes whose effective value is the schema's default: set at no level above or at the
# location. (IIS's API says that much of where a value comes from, not which level set it.)
function Read-Defaulted($session) {
    return ,[string[]]@($SessionAttributes | Where-Object { $session.GetAttribute($_).IsInheritedFromDefaultValue })
}

# What a location holds: the attributes set exactly there (from the file) and the values IIS
# applies. $manager, when given, is the caller's ServerManager (apply reads the state it is about to
# change through the manager that changes it); without it, a new one reads and is disposed of.
function Read-State([string]$requestedLocation, $manager) {
    Assert-NativeProcess $env:PROCESSOR_ARCHITEW6432
    $location = $requestedLocation.Trim('/')
    $file = (Find-ApplicationHost (Get-WindowsFolder $env:windir)).path
    $configPath = 'MACHINE/WEBROOT/APPHOST'
    if ($location -ne '') { $configPath = $configPath + '/' + $location }
    $state = [ordered]@{ ok = $true; location = $requestedLocation; configPath = $configPath; configFile = $file; explicit = (Read-Explicit $file $location) }
    $own = $null -eq $manager
    if ($own) { $manager = New-ServerManager }
    try {
        $session = Get-SessionElement $manager $location
        $state['effective'] = Read-Effective $session
        $state['defaulted'] = Read-Defaulted $session
        if ($location -ne '') { Read-WebConfigured $manager $location $state }
    } finally { if ($own) { $manager.Dispose() } }
    return $state
}

# In a site, IIS applies applicationHost.config merged with the web.config files on the way, which
# GetWebConfiguration reads as IIS does: overridden names the attributes whose value that changes
# (a web.config sets them). A web.config IIS cannot read (access denied, sharing violation) leaves
# applicationHost.config's values, with IIS's error in unread; any other error (a web.config using
# the section or an attribute where it is locked: HTTP 500.19) is IIS's configuration error for
# the path, and fails the operation.
function Read-WebConfigured($manager, [string]$location, $state) {
    $site, $path = $location.Split([char[]]'/', 2)
    try {
        $session = $manager.GetWebConfiguration($site, '/' + $path).GetSection('system.webServer/asp').GetChildElement('session')
        $effective = Read-Effective $session
    } catch {
        $e = $_.Exception
        while ($e.InnerException) { $e = $e.InnerException }
        if (($e.HResult -band 0xFFFF) -notin 5, 32) { throw }
        $state['unread'] = $e.Message
        return
    }
    $state['overridden'] = [string[]]@($SessionAttributes | Where-Object { $effective[$_] -ne $state['effective'][$_] })
    $state['effective'] = $effective
    $state['defaulted'] = Read-Defaulted $session
}
