# The names of the sites applicationHost.config defines (null: it has no <sites>), so that a
# location naming none of them can be told apart from one whose settings are merely inherited.
# Only read reports them: apply's command line has no room to spare (cmd.exe's 8191 characters).
function Get-SiteNames([string]$file) {
    $sites = (Read-Xml $file).SelectSingleNode('/configuration/system.applicationHost/sites')
    if ($null -eq $sites) { return $null }
    $names = New-Object 'System.Collections.Generic.List[string]'
    foreach ($site in $sites.SelectNodes('site')) { $names.Add($site.GetAttribute('name')) }
    return ,$names.ToArray()
}

function Invoke-Operation($request) {
    $state = Read-State (Get-Location $request)
    $state['sites'] = Get-SiteNames $state['configFile']
    return $state
}
