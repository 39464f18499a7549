function Read-Xml([string]$path) {
    $settings = New-Object System.Xml.XmlReaderSettings
    $settings.DtdProcessing = [System.Xml.DtdProcessing]::Prohibit
    $settings.XmlResolver = $null
    # Shared: IIS reads and writes this file without taking locks of its own.
    $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]'ReadWrite, Delete')
    try {
        $document = New-Object System.Xml.XmlDocument
        $document.Load([System.Xml.XmlReader]::Create($stream, $settings))
    } finally { $stream.Dispose() }
    return ,$document
}

# Which path rules apply: Windows' (C:\..., \\server\share\...) where "\" separates folders, else
# /... (PowerShell 7 on Linux, as in this project's tests). Data from .NET, the same call on 5.1
# and 7, so every edition runs the same lines.
$WindowsPaths = [System.IO.Path]::DirectorySeparatorChar -eq [char]92

# .NET would resolve a relative path against the process's folder, not PowerShell's location.
# '' when $path is absolute under the given rules, else what is expected.
function Test-AbsolutePath([string]$path, [bool]$windowsPaths) {
    if ($windowsPaths) {
        # Device paths: two separators, "." or "?", a separator; "/" is a separator too.
        if ($path -match '^[\\/][\\/][.?][\\/]') { return 'an absolute path to a file (C:\... or \\server\share\...), not one in the \\.\ or \\?\ namespaces' }
        if ($path -notmatch '^([A-Za-z]:\\|\\\\)') { return 'an absolute path (C:\... or \\server\share\...)' }
    } elseif (-not $path.StartsWith('/')) { return 'an absolute path (/...)' }
    return ''
}

# %windir%, or where .NET says Windows is when the variable is empty (a service started without
# the usual environment).
function Get-WindowsFolder([string]$fromEnvironment) {
    if (-not [string]::IsNullOrEmpty($fromEnvironment)) { return $fromEnvironment }
    return [Environment]::GetFolderPath('Windows')
}

# applicationHost.config where IIS looks for it: %windir%\System32\inetsrv\config, unless
# redirection.config there enables Shared Configuration, which moves it to the folder (usually a UNC
# share) it names. IIS reads that folder with the userName and password stored in redirection.config;
# these scripts use the connecting account's own access.
function Find-ApplicationHost([string]$windir) {
    # Combine with one name per part: a "\" inside a part is no separator for PowerShell 7 on Linux.
    $folder = [System.IO.Path]::Combine($windir, 'System32', 'inetsrv', 'config')
    $redirection = [System.IO.Path]::Combine($folder, 'redirection.config')
    $found = @{ path = [System.IO.Path]::Combine($folder, 'applicationHost.config'); source = 'windir'; redirection = $redirection; share = '' }
    if (-not [System.IO.File]::Exists($redirection)) { return $found }
    try { $node = (Read-Xml $redirection).SelectSingleNode('/configuration/configurationRedirection') }
    catch { Stop-Operation 'configError' ($redirection + ' (whether Shared Configuration is on): ' + $_.Exception.Message) }
    if ($node -eq $null) { return $found }
    $enabled = $node.GetAttribute('enabled').Trim()
    if ($enabled -eq '' -or $enabled -ieq 'false') { return $found }
    if ($enabled -ine 'true') { Stop-Operation 'configError' ($redirection + ': enabled="' + $enabled + '" is not true or false') }
    $share = [Environment]::ExpandEnvironmentVariables($node.GetAttribute('path').Trim())
    $expected = Test-AbsolutePath $share $WindowsPaths
    if ($expected -ne '') { Stop-Operation 'configError' ($redirection + ' enables Shared Configuration; its path "' + $share + '" is not ' + $expected) }
    $found.path = [System.IO.Path]::Combine($share, 'applicationHost.config')
    $found.source = 'sharedConfiguration'
    $found.share = $share
    return $found
}
