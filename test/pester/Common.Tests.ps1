# Read-Request, ConvertTo-ExitCode and ConvertTo-Failure (Common.ps1). Requests are encoded here
# with [Convert]::ToBase64String, independently of the provider's TypeScript encoder (render.ts).
# ASCII only: 5.1 reads a file without a BOM in the ANSI code page, so non-ASCII text is built
# from code points.

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')

    # One "name:base64" field holding the UTF-8 bytes of $text.
    function ConvertTo-Field([string]$name, [string]$text) {
        return $name + ':' + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($text))
    }
    function ConvertTo-Hex([byte[]]$bytes) { return [BitConverter]::ToString($bytes) }
    function Get-Sha256([byte[]]$bytes) {
        $sha = [System.Security.Cryptography.SHA256]::Create()
        try { return [BitConverter]::ToString($sha.ComputeHash($bytes)) } finally { $sha.Dispose() }
    }
}

Describe 'Read-Request' {
    It 'reads a read request' {
        $request = Read-Request ((ConvertTo-Field 'op' 'read'), (ConvertTo-Field 'location' 'Default Web Site/shop') -join ';')
        $request['op'] | Should -BeExactly 'read'
        $request['location'] | Should -BeExactly 'Default Web Site/shop'
        $request['set'].Count | Should -Be 0
        $request['remove'] -is [System.Array] | Should -BeTrue
        $request['remove'].Length | Should -Be 0
    }

    It 'reads an apply request: set.<attribute> fields make up set, each remove field adds a name' {
        $request = Read-Request ((
            (ConvertTo-Field 'op' 'apply'),
            (ConvertTo-Field 'location' 'Default Web Site'),
            (ConvertTo-Field 'set.max' '0100'),
            (ConvertTo-Field 'set.timeout' '00:20:00'),
            (ConvertTo-Field 'remove' 'allowSessionState'),
            (ConvertTo-Field 'remove' 'keepSessionIdSecure'),
            (ConvertTo-Field 'failureExitCode' '3')
        ) -join ';')
        $request['op'] | Should -BeExactly 'apply'
        $request['location'] | Should -BeExactly 'Default Web Site'
        @($request['set'].Keys) -join ',' | Should -BeExactly 'max,timeout'
        $request['set']['max'] | Should -BeExactly '0100'
        $request['set']['timeout'] | Should -BeExactly '00:20:00'
        $request['remove'] -join ',' | Should -BeExactly 'allowSessionState,keepSessionIdSecure'
        $request['failureExitCode'] | Should -BeExactly '3'
        $request.ContainsKey('set.max') | Should -BeFalse
    }

    It 'reads non-ASCII text (Latin, CJK, an emoji outside the BMP) exactly' {
        $location = 'Sites/' + (-join [char[]](0x00DC, 0x0062, 0x0065, 0x0072)) + '/' + (-join [char[]](0x65E5, 0x672C)) + '/' + [char]::ConvertFromUtf32(0x1F642)
        $request = Read-Request ((ConvertTo-Field 'op' 'read'), (ConvertTo-Field 'location' $location) -join ';')
        $request['location'] | Should -BeExactly $location
        $request['location'].Length | Should -Be 16
    }

    It 'keeps a location that looks like a date as that exact string' {
        # PowerShell 7's ConvertFrom-Json would have made this a DateTime.
        $request = Read-Request ((ConvertTo-Field 'op' 'read'), (ConvertTo-Field 'location' '2024-01-01T00:00:00') -join ';')
        $request['location'] -is [string] | Should -BeTrue
        $request['location'] | Should -BeExactly '2024-01-01T00:00:00'
    }

    It 'reads an empty value as the empty string' {
        $request = Read-Request ((ConvertTo-Field 'op' 'read') + ';location:')
        $request['location'] -is [string] | Should -BeTrue
        $request['location'] | Should -BeExactly ''
    }

    It 'gives content back as the very bytes, every value from 0x00 to 0xFF' {
        $content = [byte[]](0..255 + 255..0)
        $request = Read-Request ((ConvertTo-Field 'op' 'writeFile') + ';content:' + [Convert]::ToBase64String($content))
        $request['content'] -is [byte[]] | Should -BeTrue
        ConvertTo-Hex $request['content'] | Should -BeExactly (ConvertTo-Hex $content)
    }

    It 'gives back 3 MB of content byte for byte' {
        $content = New-Object byte[] (3 * 1024 * 1024)
        (New-Object System.Random 20240101).NextBytes($content)
        $request = Read-Request ((ConvertTo-Field 'op' 'writeFile') + ';content:' + [Convert]::ToBase64String($content))
        $request['content'].Length | Should -Be $content.Length
        Get-Sha256 $request['content'] | Should -BeExactly (Get-Sha256 $content)
    }

    # The fields are spelt out: cmVhZA== is base64 of "read", YXBwbHk= of "apply", YQ== of "a",
    # Yg== of "b", bWF4 of "max"; wyg= holds the bytes C3 28 (a lead byte, then no continuation
    # byte) and /w== the byte FF, neither of them UTF-8.
    It 'refuses <case> with badRequest' -ForEach @(
        @{ case = 'a field given twice'; fields = @('op:cmVhZA==', 'location:YQ==', 'location:Yg=='); message = 'the request field "location" appears more than once' }
        @{ case = '"set" as a field of its own'; fields = @('op:YXBwbHk=', 'set:bWF4'); message = '"set" is not a request field*' }
        @{ case = 'a value that is not base64'; fields = @('op:cmVhZA==', 'location:not base64!'); message = 'the request field "location" is not base64' }
        @{ case = 'base64 of the wrong length'; fields = @('op:cmVhZA==', 'location:YWJ'); message = 'the request field "location" is not base64' }
        @{ case = 'a text field that is not UTF-8 (C3 28)'; fields = @('op:cmVhZA==', 'location:wyg='); message = 'the request field "location" is not UTF-8 text' }
        @{ case = 'a text field that is not UTF-8 (a lone FF)'; fields = @('op:cmVhZA==', 'set.max:/w=='); message = 'the request field "set.max" is not UTF-8 text' }
        @{ case = 'a field without ":"'; fields = @('op:cmVhZA==', 'location'); message = 'the request is not name:base64 fields separated by ";"' }
        @{ case = 'a field with an empty name'; fields = @('op:cmVhZA==', ':YQ=='); message = 'the request is not name:base64 fields separated by ";"' }
        @{ case = 'an empty request'; fields = @(''); message = 'the request is not name:base64 fields separated by ";"' }
    ) {
        $failure = { Read-Request ($fields -join ';') } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'badRequest'
        $failure.Exception.Message | Should -BeLike $message
    }

    # One value per attribute, as for every other field: two set.timeout fields are as ambiguous as
    # two location fields (today the last one silently wins).
    It 'refuses an attribute set twice with badRequest' {
        $text = ((ConvertTo-Field 'op' 'apply'), (ConvertTo-Field 'location' ''), (ConvertTo-Field 'set.timeout' '00:20:00'), (ConvertTo-Field 'set.timeout' '00:05:00')) -join ';'
        $failure = { Read-Request $text } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'badRequest'
        $failure.Exception.Message | Should -BeLike '*"set.timeout"*more than once*'
    }

}

Describe 'ConvertTo-ExitCode' {
    It 'reads "<text>" as <code>' -ForEach @(
        @{ text = '0'; code = 0 }
        @{ text = '1'; code = 1 }
        @{ text = '255'; code = 255 }
    ) {
        $result = ConvertTo-ExitCode $text
        $result | Should -Be $code
        $result | Should -BeOfType [int]
    }

    It 'refuses "<text>" with badRequest' -ForEach @(
        @{ text = '256' }
        @{ text = '-1' }
        @{ text = '1.5' }
        @{ text = ' 1' }
        @{ text = '' }
    ) {
        $failure = { ConvertTo-ExitCode $text } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'badRequest'
        $failure.Exception.Message | Should -BeExactly ('failureExitCode must be a whole number from 0 to 255, not "' + $text + '"')
    }
}

Describe 'ConvertTo-Failure' {
    BeforeAll {
        # Throws what it is given on line 2, or fails a real .NET call on line 3: the line numbers
        # the failures must name.
        $thrower = Join-Path $TestDrive 'Thrower.ps1'
        [System.IO.File]::WriteAllText($thrower, (
            'param($exception)',
            'if ($null -ne $exception) { throw $exception }',
            '[void][System.IO.File]::ReadAllBytes([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [Guid]::NewGuid().ToString("N"), "applicationHost.config"))'
        ) -join "`n")
        function Get-ErrorRecord($exception) {
            try { & $thrower $exception } catch { return $_ }
            throw 'Thrower.ps1 did not throw'
        }
    }

    # Win32 codes: https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499-
    # (ERROR_FILE_NOT_FOUND 2, ERROR_PATH_NOT_FOUND 3, ERROR_ACCESS_DENIED 5, ERROR_INVALID_DATA 13,
    # ERROR_SHARING_VIOLATION 32, ERROR_LOCK_VIOLATION 33, ERROR_DISK_FULL 112), as HRESULTs by
    # https://learn.microsoft.com/en-us/windows/win32/api/winerror/nf-winerror-hresult_from_win32
    # (0x8007XXXX). PowerShell reads a 32-bit hex literal with the top bit set as a negative Int32,
    # the HResult property's type, on 5.1 and 7 alike.
    It 'maps <type> (<why>) to <code>' -ForEach @(
        @{ type = 'System.IO.FileNotFoundException'; why = 'no file'; arguments = @('no applicationHost.config'); code = 'notFound' }
        @{ type = 'System.IO.DirectoryNotFoundException'; why = 'no folder'; arguments = @('no inetsrv\config'); code = 'notFound' }
        @{ type = 'System.UnauthorizedAccessException'; why = 'no permission'; arguments = @('denied'); code = 'accessDenied' }
        @{ type = 'System.IO.IOException'; why = 'ERROR_SHARING_VIOLATION, 0x80070020'; arguments = @('in use', 0x80070020); code = 'busy' }
        @{ type = 'System.IO.IOException'; why = 'ERROR_LOCK_VIOLATION, 0x80070021'; arguments = @('locked', 0x80070021); code = 'busy' }
        @{ type = 'System.IO.IOException'; why = 'ERROR_DISK_FULL, 0x80070070'; arguments = @('disk full', 0x80070070); code = 'failed' }
        @{ type = 'System.Runtime.InteropServices.COMException'; why = 'E_ACCESSDENIED, 0x80070005'; arguments = @('denied', 0x80070005); code = 'accessDenied' }
        @{ type = 'System.Runtime.InteropServices.COMException'; why = 'ERROR_FILE_NOT_FOUND as HRESULT, 0x80070002'; arguments = @('no file', 0x80070002); code = 'notFound' }
        @{ type = 'System.Runtime.InteropServices.COMException'; why = 'ERROR_PATH_NOT_FOUND as HRESULT, 0x80070003'; arguments = @('no path', 0x80070003); code = 'notFound' }
        @{ type = 'System.Runtime.InteropServices.COMException'; why = 'ERROR_INVALID_DATA as HRESULT, 0x8007000D'; arguments = @('Configuration file is not well-formed XML', 0x8007000D); code = 'configError' }
        @{ type = 'System.Xml.XmlException'; why = 'XML the reader refuses'; arguments = @('Root element is missing.'); code = 'configError' }
        @{ type = 'System.InvalidOperationException'; why = 'nothing known'; arguments = @('surprise'); code = 'failed' }
    ) {
        $exception = New-Object $type -ArgumentList $arguments
        $failure = ConvertTo-Failure (Get-ErrorRecord $exception)
        @($failure.Keys) -join ',' | Should -BeExactly 'ok,error,message'
        $failure.ok | Should -BeFalse
        $failure.error | Should -BeExactly $code
        $failure.message | Should -BeExactly ($type + ': ' + $arguments[0] + ' (script line 2)')
    }

    # https://learn.microsoft.com/en-us/windows/win32/api/winerror/nf-winerror-hresult_facility:
    # the low 16 bits are a Win32 error code only in FACILITY_WIN32 (7) HRESULTs. DISP_E_TYPEMISMATCH
    # is 0x80020005 (FACILITY_DISPATCH, code 5; -2147352571 in
    # https://learn.microsoft.com/en-us/dotnet/api/microsoft.visualstudio.vsconstants.disp_e_typemismatch):
    # a COM failure, not ERROR_ACCESS_DENIED.
    It 'maps a COMException from another facility (<why>) to configError' -ForEach @(
        @{ why = 'DISP_E_TYPEMISMATCH, 0x80020005'; hresult = 0x80020005 }
        @{ why = 'DISP_E_MEMBERNOTFOUND, 0x80020003'; hresult = 0x80020003 }
    ) {
        $exception = New-Object System.Runtime.InteropServices.COMException -ArgumentList 'not a Win32 error', $hresult
        (ConvertTo-Failure (Get-ErrorRecord $exception)).error | Should -BeExactly 'configError'
    }

    It 'looks through InnerException, naming the outer exception' {
        $busy = New-Object System.IO.IOException -ArgumentList 'in use', 0x80070020
        $exception = New-Object System.Exception -ArgumentList 'commit failed', $busy
        $failure = ConvertTo-Failure (Get-ErrorRecord $exception)
        $failure.error | Should -BeExactly 'busy'
        $failure.message | Should -BeExactly 'System.Exception: commit failed (script line 2)'
    }

    It 'maps a failed .NET call (MethodInvocationException around DirectoryNotFoundException) to notFound' {
        $failure = ConvertTo-Failure (Get-ErrorRecord $null)
        $failure.error | Should -BeExactly 'notFound'
        $failure.message | Should -BeLike 'System.Management.Automation.MethodInvocationException: *ReadAllBytes*applicationHost.config*(script line 3)'
    }

    It 'passes a Stop-Operation failure on with its code and fields' {
        $record = $null
        try { Stop-Operation 'conflict' 'C:\x changed since it was read' @{ path = 'C:\x' } } catch { $record = $_ }
        $failure = ConvertTo-Failure $record
        @($failure.Keys) -join ',' | Should -BeExactly 'ok,error,message,path'
        $failure.ok | Should -BeFalse
        $failure.error | Should -BeExactly 'conflict'
        $failure.message | Should -BeExactly 'C:\x changed since it was read'
        $failure.path | Should -BeExactly 'C:\x'
    }

    It 'passes a Stop-Operation failure without fields on with ok, error and message only' {
        $record = $null
        try { Stop-Operation 'badRequest' 'no location' } catch { $record = $_ }
        $failure = ConvertTo-Failure $record
        @($failure.Keys) -join ',' | Should -BeExactly 'ok,error,message'
        $failure.error | Should -BeExactly 'badRequest'
    }
}
