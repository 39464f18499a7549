/**
 * The PowerShell scripts the provider runs on a Windows server (64-bit Windows PowerShell 5.1),
 * one static script per operation. They are plain string constants, not .ps1 files: this code is
 * serialized into Pulumi state and runs where no file beside it can be read.
 *
 * The only thing that varies between runs is the request: base64 of UTF-8 JSON, substituted for
 * REQUEST_PLACEHOLDER inside a single-quoted literal (render.ts). Base64's alphabet cannot close
 * the literal, and the script decodes it as data, so nothing from the request is parsed as code.
 * The request travels inside the script, so a large file's content needs no second channel;
 * delivery.ts decides whether the whole script goes on the command line (gzip-compressed behind a
 * short loader) or on stdin.
 *
 * Every script prints exactly one line of compact JSON on stdout, {"ok":true,...} or
 * {"ok":false,"error":code,"message":...}, and exits 0 even when it reports an error
 * (protocol.ts has the contract, response.ts reads it).
 *
 * They run on Windows PowerShell 5.1 (.NET Framework 4.5+, what Windows Server ships) and on
 * PowerShell 7 (.NET, what OpenSSH remoting often starts). Where the two differ the scripts branch
 * on $PSVersionTable: 5.1 decodes the request with System.Web.Extensions' JavaScriptSerializer,
 * which 7 does not have; 7 uses System.Text.Json, which 5.1 does not have. The tests run every
 * script under real PowerShell 7 (on Linux, against a Microsoft.Web.Administration test double
 * for mode "iis"); the 5.1 branch is checked only against PowerShell's grammar (tree-sitter).
 */
import { MAX_CONFIG_BYTES } from "../../transports/configFile";
import type { OperationName } from "./protocol";

/** Replaced by the request's base64 in every script; it appears exactly once, single-quoted. */
export const REQUEST_PLACEHOLDER = "__REQUEST__";

/** The first line of each script; the in-repo test server recognises scripts by it. */
export const SCRIPT_MARKERS: Readonly<Record<OperationName, string>> = {
    read: "# pulumi-iis-asp-session: read v1",
    apply: "# pulumi-iis-asp-session: apply v2",
    readFile: "# pulumi-iis-asp-session: readFile v3",
    writeFile: "# pulumi-iis-asp-session: writeFile v3",
};

const PREFERENCES = String.raw`
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
`;

/** Failure reporting and request decoding: every script has these. */
const COMMON_FUNCTIONS = String.raw`
# Ends the operation with an {ok:false} result carrying this code and any extra fields.
function Stop-Operation([string]$code, [string]$message, [hashtable]$fields) {
    $exception = New-Object System.InvalidOperationException -ArgumentList $message
    $exception.Data['pulumiCode'] = $code
    if ($fields) { $exception.Data['pulumiFields'] = $fields }
    throw $exception
}

# Not ConvertFrom-Json: 5.1's refuses input over 2 MB, and 7's turns ISO-8601-looking strings
# into dates. Objects become dictionaries with ordinal keys, arrays object[], strings strings.
function Read-Request([string]$requestB64) {
    try {
        $bytes = [Convert]::FromBase64String($requestB64)
        $json = (New-Object System.Text.UTF8Encoding -ArgumentList $false, $true).GetString($bytes)
        if ($PSVersionTable.PSVersion.Major -ge 6) {
            $document = [System.Text.Json.JsonDocument]::Parse($json)
            try { $request = ConvertFrom-JsonElement $document.RootElement } finally { $document.Dispose() }
        } else {
            Add-Type -AssemblyName System.Web.Extensions
            $serializer = New-Object System.Web.Script.Serialization.JavaScriptSerializer
            $serializer.MaxJsonLength = [int]::MaxValue
            $request = $serializer.DeserializeObject($json)
        }
    } catch {
        Stop-Operation 'badRequest' ('the request is not base64 of UTF-8 JSON: ' + $_.Exception.Message)
    }
    if ($request -isnot [System.Collections.IDictionary]) { Stop-Operation 'badRequest' 'the request is not a JSON object' }
    return ,$request
}

# PowerShell 7 only: a System.Text.Json element as the values JavaScriptSerializer gives on 5.1.
function ConvertFrom-JsonElement($element) {
    switch ($element.ValueKind.ToString()) {
        'Object' {
            $map = New-Object 'System.Collections.Generic.Dictionary[string,object]' -ArgumentList ([System.StringComparer]::Ordinal)
            foreach ($property in $element.EnumerateObject()) { $map[$property.Name] = ConvertFrom-JsonElement $property.Value }
            return ,$map
        }
        'Array' {
            $items = New-Object 'System.Collections.Generic.List[object]'
            foreach ($item in $element.EnumerateArray()) { $items.Add((ConvertFrom-JsonElement $item)) }
            return ,$items.ToArray()
        }
        'String' { return $element.GetString() }
        'Number' { return $element.GetDecimal() }
        'True' { return $true }
        'False' { return $false }
        default { return $null }
    }
}

function Get-Text($map, [string]$name) {
    if (-not $map.ContainsKey($name) -or $map[$name] -isnot [string]) {
        Stop-Operation 'badRequest' ('the request field "' + $name + '" must be a string')
    }
    return $map[$name]
}

function ConvertTo-Failure($record) {
    $exception = $record.Exception
    if ($exception.Data.Contains('pulumiCode')) {
        $failure = [ordered]@{ ok = $false; error = $exception.Data['pulumiCode']; message = $exception.Message }
        $fields = $exception.Data['pulumiFields']
        if ($fields) { foreach ($key in $fields.Keys) { $failure[$key] = $fields[$key] } }
        return $failure
    }
    $code = 'failed'
    for ($inner = $exception; $inner -ne $null; $inner = $inner.InnerException) {
        $win32 = $inner.HResult -band 0xFFFF
        if ($inner -is [System.IO.FileNotFoundException] -or $inner -is [System.IO.DirectoryNotFoundException]) { $code = 'notFound'; break }
        if ($inner -is [System.UnauthorizedAccessException]) { $code = 'accessDenied'; break }
        if ($inner -is [System.IO.IOException] -and ($win32 -eq 32 -or $win32 -eq 33)) { $code = 'busy'; break }
        if ($inner -is [System.Runtime.InteropServices.COMException] -and $win32 -eq 5) { $code = 'accessDenied'; break }
        if ($inner -is [System.Runtime.InteropServices.COMException] -and ($win32 -eq 2 -or $win32 -eq 3)) { $code = 'notFound'; break }
        if ($inner -is [System.Runtime.InteropServices.COMException] -or $inner -is [System.Xml.XmlException]) { $code = 'configError'; break }
    }
    $message = '{0}: {1} (script line {2})' -f $exception.GetType().FullName, $exception.Message, $record.InvocationInfo.ScriptLineNumber
    return [ordered]@{ ok = $false; error = $code; message = $message }
}
`;

/**
 * Where applicationHost.config is: every script finds it the way IIS does, on the server, in the
 * same run (no extra round trip). readFile and writeFile also take the user's configPath instead.
 */
const CONFIG_LOCATION_FUNCTIONS = String.raw`
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

# Paths are those of the system the script runs on: C:\... or \\server\share\... on Windows, /...
# elsewhere (PowerShell 7 on Linux, as in this project's tests). .NET would resolve a relative path
# against the process's folder, not PowerShell's location. '' when absolute, else what is expected.
function Test-AbsolutePath([string]$path) {
    if (($PSVersionTable.PSVersion.Major -lt 6) -or $IsWindows) {
        if ($path -notmatch '^([A-Za-z]:\\|\\\\)') { return 'an absolute path (C:\... or \\server\share\...)' }
        if ($path -match '^\\\\[.?]\\') { return 'an absolute path to a file (C:\... or \\server\share\...), not one in the \\.\ or \\?\ namespaces' }
    } elseif (-not $path.StartsWith('/')) { return 'an absolute path (/...)' }
    return ''
}

# applicationHost.config where IIS looks for it: %windir%\System32\inetsrv\config, unless
# redirection.config there enables Shared Configuration, which moves it to the folder (usually a UNC
# share) it names. IIS reads that folder with the userName and password stored in redirection.config;
# these scripts use the connecting account's own access.
function Find-ApplicationHost {
    $windir = [Environment]::GetEnvironmentVariable('windir')
    if ([string]::IsNullOrEmpty($windir)) { $windir = [Environment]::GetFolderPath('Windows') }
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
    $expected = Test-AbsolutePath $share
    if ($expected -ne '') { Stop-Operation 'configError' ($redirection + ' enables Shared Configuration; its path "' + $share + '" is not ' + $expected) }
    $found.path = [System.IO.Path]::Combine($share, 'applicationHost.config')
    $found.source = 'sharedConfiguration'
    $found.share = $share
    return $found
}
`;

/** Whole-file access for readFile and writeFile. */
const FILE_FUNCTIONS = String.raw`
function Get-AbsolutePath($map, [string]$name) {
    $path = Get-Text $map $name
    $expected = Test-AbsolutePath $path
    if ($expected -ne '') { Stop-Operation 'badRequest' ('the request field "' + $name + '" must be ' + $expected) }
    return $path
}

# The file a request is about: its path (the user's configPath), or the one IIS uses.
function Get-ConfigFile($request) {
    if ($request.ContainsKey('path')) { return @{ path = (Get-AbsolutePath $request 'path'); source = 'configPath' } }
    return Find-ApplicationHost
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
$MaxConfigBytes = ${MAX_CONFIG_BYTES}
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
`;

/** Reading and writing the session element through IIS's API and applicationHost.config. */
const IIS_FUNCTIONS = String.raw`
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

# 64-bit Windows shows a 32-bit process SysWOW64 in place of System32, and another IIS configuration.
function Assert-NativeProcess {
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
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

# What a location holds: the attributes set exactly there (from the file) and the effective
# values. $session, when given, is the location's element in the caller's ServerManager (apply
# reads the state it is about to change through the manager that changes it); without it, a new
# ServerManager reads the values and is disposed of.
function Read-State([string]$requestedLocation, $session) {
    Assert-NativeProcess
    $location = $requestedLocation.Trim('/')
    $file = (Find-ApplicationHost).path
    $explicit = Read-Explicit $file $location
    if ($null -eq $session) {
        $manager = New-ServerManager
        try { $effective = Read-Effective (Get-SessionElement $manager $location) } finally { $manager.Dispose() }
    } else {
        $effective = Read-Effective $session
    }
    $configPath = 'MACHINE/WEBROOT/APPHOST'
    if ($location -ne '') { $configPath = $configPath + '/' + $location }
    return [ordered]@{
        ok = $true
        location = $requestedLocation
        configPath = $configPath
        configFile = $file
        explicit = $explicit
        effective = $effective
    }
}
`;

const INVOKE_READ = String.raw`
function Invoke-Operation($request) {
    return Read-State (Get-Location $request)
}
`;

const INVOKE_APPLY = String.raw`
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
    Assert-NativeProcess
    # Only what differs is set and only what is there is removed, so a request that changes
    # nothing commits nothing: applicationHost.config is not rewritten and IIS keeps no history
    # snapshot of it.
    $changes = 0
    $manager = New-ServerManager
    try {
        $session = Get-SessionElement $manager $location.Trim('/')
        $before = Read-State $location $session
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
                # changed on disk"), or a sharing or lock violation (Win32 32, 33) while it writes.
                for ($e = $_.Exception; $null -ne $e; $e = $e.InnerException) {
                    if ($e -is [System.IO.FileLoadException] -or (($e.HResult -band 0xFFFF) -in 32, 33)) { Stop-Operation 'conflict' 'IIS did not commit: the file changed on disk' @{ path = $before['configFile'] } }
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
    $state['before'] = [ordered]@{ explicit = $before['explicit']; effective = $before['effective'] }
    $state['changed'] = $changes -gt 0
    $state['verified'] = $true
    return $state
}
`;

const INVOKE_READ_FILE = String.raw`
function Invoke-Operation($request) {
    $file = Get-ConfigFile $request
    # Shared, so IIS can go on reading and writing its configuration meanwhile.
    $stream = Open-ConfigFile $file ([System.IO.FileShare]'ReadWrite, Delete')
    try { $bytes = Read-Bytes $stream $file.path } finally { $stream.Dispose() }
    return [ordered]@{ ok = $true; path = $file.path; source = $file.source; sha256 = (Get-Sha256Hex $bytes); contentBase64 = [Convert]::ToBase64String($bytes) }
}
`;

const INVOKE_WRITE_FILE = String.raw`
function Invoke-Operation($request) {
    $file = Get-ConfigFile $request
    $path = $file.path
    $suffix = Get-Text $request 'backupSuffix'
    if ($suffix -cnotmatch '^\.[A-Za-z0-9._-]+$') { Stop-Operation 'badRequest' 'backupSuffix must be a dot followed by letters, digits, dots, dashes or underscores' }
    $backupPath = $path + $suffix
    $expected = Get-Text $request 'expectedSha256'
    if ($expected -cnotmatch '^[0-9a-f]{64}$') { Stop-Operation 'badRequest' 'expectedSha256 must be 64 lowercase hex digits' }
    $contentBase64 = Get-Text $request 'contentBase64'
    try { $content = [Convert]::FromBase64String($contentBase64) }
    catch { Stop-Operation 'badRequest' ('contentBase64 is not base64: ' + $_.Exception.Message) }

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
`;

/**
 * Runs Invoke-Operation and prints its result, or the failure, as one line of JSON. Written as
 * UTF-8 bytes to the standard output stream, past PowerShell's formatter (nothing wraps or
 * reformats the line) and past the console: where there is none (some SSH set-ups, PowerShell
 * remoting hosts), setting [Console]::OutputEncoding throws "The handle is invalid", and the
 * console's code page would mangle non-ASCII text anyway.
 */
function main(op: OperationName): string {
    return String.raw`
$result = $null
$failureExitCode = 0
try {
    # Only base64 (A-Z a-z 0-9 + / =) is ever put between these quotes.
    $requestB64 = '${REQUEST_PLACEHOLDER}'
    $request = Read-Request $requestB64
    if ($request.ContainsKey('failureExitCode')) { $failureExitCode = [int]$request['failureExitCode'] }
    if ((Get-Text $request 'op') -cne '${op}') { Stop-Operation 'badRequest' ('this script runs op "${op}", not "' + $request['op'] + '"') }
    $result = Invoke-Operation $request
} catch {
    $result = ConvertTo-Failure $_
}
try {
    $json = ConvertTo-Json -InputObject $result -Compress -Depth 5
} catch {
    $json = '{"ok":false,"error":"failed","message":"the result could not be converted to JSON"}'
}
$stdout = [Console]::OpenStandardOutput()
$bytes = (New-Object System.Text.UTF8Encoding -ArgumentList $false).GetBytes($json + [char]10)
$stdout.Write($bytes, 0, $bytes.Length)
$stdout.Flush()
if ($result['ok'] -ne $true) { exit $failureExitCode }
exit 0
`;
}

/**
 * The marker line, then the code without its whole-line comments: they are for readers of this
 * file, and every character sent costs command-line room (cmd.exe's 8191). No script has a
 * here-string or block comment, so a line starting with # is always a comment.
 */
function script(op: OperationName, ...parts: string[]): string {
    const code = [PREFERENCES, COMMON_FUNCTIONS, ...parts, main(op)].join("").split("\n").filter((line) => !/^\s*#/.test(line));
    return [SCRIPT_MARKERS[op], ...code].join("\n").replace(/\n{2,}/g, "\n\n");
}

/** The static script of each operation, with REQUEST_PLACEHOLDER still in place. */
export const SCRIPT_TEMPLATES: Readonly<Record<OperationName, string>> = {
    read: script("read", CONFIG_LOCATION_FUNCTIONS, IIS_FUNCTIONS, INVOKE_READ),
    apply: script("apply", CONFIG_LOCATION_FUNCTIONS, IIS_FUNCTIONS, INVOKE_APPLY),
    readFile: script("readFile", CONFIG_LOCATION_FUNCTIONS, FILE_FUNCTIONS, INVOKE_READ_FILE),
    writeFile: script("writeFile", CONFIG_LOCATION_FUNCTIONS, FILE_FUNCTIONS, INVOKE_WRITE_FILE),
};
