$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Ends the operation with an {ok:false} result carrying this code and any extra fields.
function Stop-Operation([string]$code, [string]$message, [hashtable]$fields) {
    $exception = New-Object System.InvalidOperationException -ArgumentList $message
    $exception.Data['pulumiCode'] = $code
    if ($fields) { $exception.Data['pulumiFields'] = $fields }
    throw $exception
}

# The request is "name:base64" fields joined by ";" (protocol.ts), decoded here with the same
# .NET Framework calls on 5.1 and 7: no JSON parser, so none of their differences (5.1's 2 MB
# limit, 7 turning date-like strings into dates) can change what a field says. Values are base64
# of UTF-8 text, except content (a file's bytes); "set.<attribute>" fields make up set, and every
# "remove" field is one name in remove.
function Read-Request([string]$text) {
    $request = New-Object 'System.Collections.Generic.Dictionary[string,object]' -ArgumentList ([System.StringComparer]::Ordinal)
    $set = New-Object 'System.Collections.Generic.Dictionary[string,object]' -ArgumentList ([System.StringComparer]::Ordinal)
    $remove = New-Object 'System.Collections.Generic.List[object]'
    $utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false, $true
    foreach ($field in $text.Split([char]';')) {
        $colon = $field.IndexOf([char]':')
        if ($colon -lt 1) { Stop-Operation 'badRequest' 'the request is not name:base64 fields separated by ";"' }
        $name = $field.Substring(0, $colon)
        try { $bytes = [Convert]::FromBase64String($field.Substring($colon + 1)) }
        catch { Stop-Operation 'badRequest' ('the request field "' + $name + '" is not base64') }
        if ($name -ceq 'content') { $value = $bytes }
        else {
            try { $value = $utf8.GetString($bytes) }
            catch { Stop-Operation 'badRequest' ('the request field "' + $name + '" is not UTF-8 text') }
        }
        if ($name -ceq 'set') { Stop-Operation 'badRequest' '"set" is not a request field (set.<attribute> is)' }
        $isSet = $name.StartsWith('set.', [System.StringComparison]::Ordinal)
        if (($isSet -and $set.ContainsKey($name.Substring(4))) -or (-not $isSet -and $request.ContainsKey($name))) { Stop-Operation 'badRequest' ('the request field "' + $name + '" appears more than once') }
        if ($isSet) { $set[$name.Substring(4)] = $value }
        elseif ($name -ceq 'remove') { $remove.Add($value) }
        else { $request[$name] = $value }
    }
    $request['set'] = $set
    $request['remove'] = $remove.ToArray()
    return ,$request
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
        # The Win32 error inside an HRESULT_FROM_WIN32 (facility 7); other HRESULTs carry none.
        $win32 = -1
        if (($inner.HResult -band 0xFFFF0000) -eq 0x80070000) { $win32 = $inner.HResult -band 0xFFFF }
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

# failureExitCode: a decimal exit code (0-255, what every shell passes on).
function ConvertTo-ExitCode([string]$text) {
    $code = 0
    if (-not [int]::TryParse($text, [System.Globalization.NumberStyles]::None, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$code) -or $code -gt 255) {
        Stop-Operation 'badRequest' ('failureExitCode must be a whole number from 0 to 255, not "' + $text + '"')
    }
    return $code
}
