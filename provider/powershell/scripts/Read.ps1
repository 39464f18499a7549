# The names of the sites the file defines (null: it has no <sites>), so that a location naming
# none of them can be told apart from one whose settings are merely inherited. Only read reports
# them, and the web.config files below: apply's command line has no room to spare (cmd.exe's 8191
# characters).
function Get-SiteNames([string]$file) {
    $sites = (Read-Xml $file).SelectSingleNode('/configuration/system.applicationHost/sites')
    if ($null -eq $sites) { return $null }
    $names = New-Object 'System.Collections.Generic.List[string]'
    foreach ($site in $sites.SelectNodes('site')) { $names.Add($site.GetAttribute('name')) }
    return ,$names.ToArray()
}

# The child (application, virtualDirectory) whose path matches the most of $segments, compared as
# IIS compares paths (ignoring case, as PowerShell's -eq does), and how many segments it matches.
function Select-LongestPath($parent, [string]$tag, [string[]]$segments) {
    $best = @{ element = $null; covered = 0 }
    foreach ($child in $parent.ChildNodes) {
        if ($child.Name -cne $tag) { continue }
        $path = @($child.GetAttribute('path').Split([char]'/') | Where-Object { $_ -ne '' })
        if ($path.Count -gt $segments.Count -or ($null -ne $best.element -and $path.Count -le $best.covered)) { continue }
        if (($path -join '/') -eq (@($segments | Select-Object -First $path.Count) -join '/')) { $best = @{ element = $child; covered = $path.Count } }
    }
    return $best
}

# Which web.config sets each attribute a web.config overrides ($names, from GetWebConfiguration):
# the deepest file on the way that sets it, at its root or in a <location> on the way, as
# @{ name = @{ path = level; file = path } }. The files are where IIS reads them: for each level,
# the folder <sites> maps it to (the application, then its virtual directory, whose paths match
# the most of it, then the folders below), environment variables expanded on this server.
function Find-Overriding([string]$applicationHost, [string]$location, [string[]]$names) {
    $found = [ordered]@{}
    $segments = $location.Split([char]'/')
    $site = @((Read-Xml $applicationHost).SelectNodes('/configuration/system.applicationHost/sites/site') | Where-Object { $_.GetAttribute('name') -eq $segments[0] })
    if ($site.Count -eq 0 -or $names.Count -eq 0) { return $found }
    for ($depth = 1; $depth -le $segments.Count; $depth++) {
        $level = @($segments | Select-Object -First $depth) -join '/'
        $below = [string[]]@($segments | Select-Object -Skip 1 -First ($depth - 1))
        $application = Select-LongestPath $site[0] 'application' $below
        if ($null -eq $application.element) { continue }
        $rest = [string[]]@($below | Select-Object -Skip $application.covered)
        $directory = Select-LongestPath $application.element 'virtualDirectory' $rest
        if ($null -eq $directory.element -or $directory.element.GetAttribute('physicalPath') -eq '') { continue }
        $folder = [Environment]::ExpandEnvironmentVariables($directory.element.GetAttribute('physicalPath'))
        foreach ($segment in ($rest | Select-Object -Skip $directory.covered)) { $folder = [System.IO.Path]::Combine($folder, $segment) }
        $file = [System.IO.Path]::Combine($folder, 'web.config')
        if (-not [System.IO.File]::Exists($file)) { continue }
        $config = (Read-Xml $file).DocumentElement
        foreach ($container in @($config) + @($config.SelectNodes('location'))) {
            $at = $level
            $relative = $container.GetAttribute('path').Trim('/')
            if ($container.Name -eq 'location' -and $relative -ne '' -and $relative -ne '.') { $at = $level + '/' + $relative }
            if ($location -ne $at -and -not $location.StartsWith($at + '/', [System.StringComparison]::OrdinalIgnoreCase)) { continue }
            $session = $container.SelectSingleNode('system.webServer/asp/session')
            if ($null -eq $session) { continue }
            foreach ($name in $names) { if ($session.HasAttribute($name)) { $found[$name] = [ordered]@{ path = $level; file = $file } } }
        }
    }
    return $found
}

function Invoke-Operation($request) {
    $state = Read-State (Get-Location $request)
    $state['sites'] = Get-SiteNames $state['configFile']
    if ($state['overridden']) { $state['overriddenBy'] = Find-Overriding $state['configFile'] $state['location'].Trim('/') $state['overridden'] }
    return $state
}
