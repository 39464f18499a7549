# Runs Invoke-Operation and prints its result, or the failure, as one line of JSON. Written as
# UTF-8 bytes to the standard output stream, past PowerShell's formatter (nothing wraps or
# reformats the line) and past the console: where there is none (some SSH set-ups, PowerShell
# remoting hosts), setting [Console]::OutputEncoding throws "The handle is invalid", and the
# console's code page would mangle non-ASCII text anyway.
# A file's content (readFile) is not in the JSON: it goes before it, on a line of its own,
# "content:" and base64 written in pieces, so neither edition's ConvertTo-Json meets a string of
# tens of megabytes; the JSON gives its length in bytes and its SHA-256.
$result = $null
$failureExitCode = 0
try {
    # Only request fields (A-Z a-z 0-9 + / = . : ;) are ever put between these quotes.
    $request = Read-Request '__REQUEST__'
    if ($request.ContainsKey('failureExitCode')) { $failureExitCode = ConvertTo-ExitCode (Get-Text $request 'failureExitCode') }
    if ((Get-Text $request 'op') -cne '__OPERATION__') { Stop-Operation 'badRequest' ('this script runs op "__OPERATION__", not "' + $request['op'] + '"') }
    $result = Invoke-Operation $request
} catch {
    $result = ConvertTo-Failure $_
}
$content = $null
if ($result['ok'] -eq $true -and $result.Contains('content')) {
    $content = [byte[]]$result['content']
    $result.Remove('content')
    $result['contentBytes'] = $content.Length
}
try {
    $json = ConvertTo-Json -InputObject $result -Compress -Depth 5
} catch {
    $json = '{"ok":false,"error":"failed","message":"the result could not be converted to JSON"}'
}
$stdout = [Console]::OpenStandardOutput()
$utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
if ($null -ne $content) { Write-ContentLine $stdout $content }
$bytes = $utf8.GetBytes($json + [char]10)
$stdout.Write($bytes, 0, $bytes.Length)
$stdout.Flush()
if ($result['ok'] -ne $true) { exit $failureExitCode }
exit 0
