# Assert-NativeProcess, ConvertTo-SessionValue and Read-Explicit (Iis.ps1): the parts that need no
# IIS. ASCII only: 5.1 reads a file without a BOM in the ANSI code page.

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
    . (Join-Path $scripts 'Iis.ps1')

    # An ordered dictionary as "name=value;..." in its own order, for one exact comparison.
    function Format-Attributes($attributes) {
        return (@($attributes.Keys) | ForEach-Object { $_ + '=' + $attributes[$_] }) -join ';'
    }
}

Describe 'Assert-NativeProcess' {
    # https://learn.microsoft.com/en-us/windows/win32/winprog64/wow64-implementation-details
    # ("Environment variables"): WOW64 gives a 32-bit process PROCESSOR_ARCHITECTURE=x86 and
    # PROCESSOR_ARCHITEW6432 set to the machine's architecture (AMD64, IA64 or ARM64); a 64-bit
    # process has no PROCESSOR_ARCHITEW6432.
    It 'refuses a WOW64 process (PROCESSOR_ARCHITEW6432=<architecture>) with iisUnavailable' -ForEach @(
        @{ architecture = 'AMD64' }
        @{ architecture = 'ARM64' }
        @{ architecture = 'IA64' }
    ) {
        $failure = { Assert-NativeProcess $architecture } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'iisUnavailable'
        $failure.Exception.Message | Should -BeLike '*32-bit PowerShell*System32\WindowsPowerShell\v1.0\powershell.exe'
    }

    It 'lets a native process (PROCESSOR_ARCHITEW6432 <case>) go on' -ForEach @(
        @{ case = 'empty'; architecture = '' }
        @{ case = 'unset'; architecture = $null }
    ) {
        { Assert-NativeProcess $architecture } | Should -Not -Throw
    }
}

Describe 'ConvertTo-SessionValue' {
    It 'reads <name> "<text>" as <type> <shown>' -ForEach @(
        # bool.Parse: "True" or "False" in any case.
        @{ name = 'allowSessionState'; text = 'True'; type = 'bool'; shown = 'True' }
        @{ name = 'keepSessionIdSecure'; text = 'true'; type = 'bool'; shown = 'True' }
        @{ name = 'allowSessionState'; text = 'FALSE'; type = 'bool'; shown = 'False' }
        # max is a uint32 (digits only, leading zeros allowed).
        @{ name = 'max'; text = '0100'; type = 'uint32'; shown = '100' }
        @{ name = 'max'; text = '4294967295'; type = 'uint32'; shown = '4294967295' }
        # https://learn.microsoft.com/en-us/dotnet/standard/base-types/standard-timespan-format-strings:
        # "c" is [-][d.]hh:mm:ss[.fffffff], hh 00-23, mm 00-59. That is the form "c" writes;
        # TimeSpan.ParseExact with "c" also reads the shorter forms TimeSpan.Parse reads, so "0:10"
        # is ten minutes (hours:minutes), as provider/settings/timespan.ts reads it too.
        @{ name = 'timeout'; text = '00:20:00'; type = 'TimeSpan'; shown = '00:20:00' }
        @{ name = 'timeout'; text = '1.00:00:00'; type = 'TimeSpan'; shown = '1.00:00:00' }
        @{ name = 'timeout'; text = '0:10'; type = 'TimeSpan'; shown = '00:10:00' }
        @{ name = 'timeout'; text = '00:20:00.5'; type = 'TimeSpan'; shown = '00:20:00.5000000' }
    ) {
        $value = ConvertTo-SessionValue $name $text
        $value.GetType().Name | Should -BeExactly @{ bool = 'Boolean'; uint32 = 'UInt32'; TimeSpan = 'TimeSpan' }[$type]
        if ($type -eq 'TimeSpan') { $value.ToString('c') | Should -BeExactly $shown }
        else { [string]$value | Should -BeExactly $shown }
    }

    It 'refuses <name> "<text>" (<why>) with badRequest' -ForEach @(
        @{ name = 'allowSessionState'; text = 'yes'; why = 'not True or False' }
        @{ name = 'allowSessionState'; text = '1'; why = 'not True or False' }
        @{ name = 'max'; text = '4294967296'; why = 'past uint32' }
        @{ name = 'max'; text = '-1'; why = 'a sign' }
        @{ name = 'max'; text = '1,000'; why = 'a group separator' }
        @{ name = 'max'; text = ''; why = 'empty' }
        @{ name = 'timeout'; text = '24:00:00'; why = 'hh past 23' }
        @{ name = 'timeout'; text = '00:60:00'; why = 'mm past 59' }
        @{ name = 'timeout'; text = '20 minutes'; why = 'words' }
    ) {
        $failure = { ConvertTo-SessionValue $name $text } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'badRequest'
        $failure.Exception.Message | Should -BeLike ('"' + $text + '" is not a valid ' + $name + ': *')
    }

    It 'refuses a value that is not a string with badRequest' {
        $failure = { ConvertTo-SessionValue 'max' 100 } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'badRequest'
        $failure.Exception.Message | Should -BeExactly 'the value for max must be a string'
    }
}

Describe 'Read-Explicit' {
    BeforeAll {
        # applicationHost.config with asp settings at the server level and at four locations.
        $configFile = Join-Path $TestDrive 'applicationHost.config'
        [System.IO.File]::WriteAllText($configFile, (
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<configuration>',
            '  <system.webServer>',
            '    <asp><session max="10" /></asp>',
            '  </system.webServer>',
            '  <location path="Default Web Site/Shop" overrideMode="Allow">',
            '    <system.webServer><asp><session timeout="00:10:00" allowSessionState="false" /></asp></system.webServer>',
            '  </location>',
            '  <location path="Default Web Site/Blog/">',
            '    <system.webServer><asp><session max=" 0100" keepSessionIdSecure="true" /></asp></system.webServer>',
            '  </location>',
            '  <location path="Default Web Site/Bare">',
            '    <system.webServer><asp enableParentPaths="true" /></system.webServer>',
            '  </location>',
            '  <location path="Default Web Site/Static">',
            '    <system.webServer><directoryBrowse enabled="true" /></system.webServer>',
            '  </location>',
            '</configuration>'
        ) -join "`n")

        function New-ConfigFile([string[]]$lines) {
            $file = Join-Path $TestDrive ([Guid]::NewGuid().ToString('N') + '.config')
            [System.IO.File]::WriteAllText($file, ($lines -join "`n"))
            return $file
        }
    }

    It 'reads what is set exactly at "<location>" (<why>)' -ForEach @(
        @{ location = ''; why = 'the server level'; expected = 'max=10' }
        @{ location = 'Default Web Site/Shop'; why = 'in the order allowSessionState, keepSessionIdSecure, max, timeout'; expected = 'allowSessionState=false;timeout=00:10:00' }
        @{ location = 'default web site/SHOP'; why = 'paths compared case-insensitively'; expected = 'allowSessionState=false;timeout=00:10:00' }
        @{ location = 'Default Web Site/Blog'; why = 'the file has a trailing slash; the text kept as written'; expected = 'keepSessionIdSecure=true;max= 0100' }
        @{ location = 'Default Web Site/Bare'; why = 'an asp element without session'; expected = '' }
        @{ location = 'Default Web Site/Static'; why = 'a location without <asp>'; expected = '' }
        @{ location = 'Default Web Site/Nowhere'; why = 'no such location'; expected = '' }
        @{ location = 'Default Web Site'; why = 'a parent of locations, not one'; expected = '' }
    ) {
        Format-Attributes (Read-Explicit $configFile $location) | Should -BeExactly $expected
    }

    It 'reads <path> as the server level' -ForEach @(
        @{ path = 'path="."' }
        @{ path = 'path=""' }
        @{ path = 'path="/"' }
    ) {
        $file = New-ConfigFile @(
            '<configuration>',
            ('  <location ' + $path + '><system.webServer><asp><session max="5" /></asp></system.webServer></location>'),
            '</configuration>')
        Format-Attributes (Read-Explicit $file '') | Should -BeExactly 'max=5'
    }

    It 'refuses two elements holding asp settings for one location (<why>) with ambiguousLocation' -ForEach @(
        @{ why = 'the root and path="."'; location = ''; lines = @(
            '<configuration>',
            '  <system.webServer><asp><session max="5" /></asp></system.webServer>',
            '  <location path="."><system.webServer><asp><session max="6" /></asp></system.webServer></location>',
            '</configuration>') }
        @{ why = 'paths differing in case and a trailing slash'; location = 'Default Web Site/Shop'; lines = @(
            '<configuration>',
            '  <location path="Default Web Site/Shop"><system.webServer><asp><session max="5" /></asp></system.webServer></location>',
            '  <location path="default web site/shop/"><system.webServer><asp><session timeout="00:05:00" /></asp></system.webServer></location>',
            '</configuration>') }
    ) {
        $file = New-ConfigFile $lines
        $failure = { Read-Explicit $file $location } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'ambiguousLocation'
        $failure.Exception.Message | Should -BeExactly ('2 elements for location "' + $location + '" in ' + $file + ' hold <asp>; IIS would edit only one of them. Merge them into one <location>.')
    }

    It 'reads the one location holding asp settings when another for the same path holds other sections' {
        $file = New-ConfigFile @(
            '<configuration>',
            '  <location path="Default Web Site/Shop"><system.webServer><defaultDocument enabled="true" /></system.webServer></location>',
            '  <location path="Default Web Site/Shop"><system.webServer><asp><session max="7" /></asp></system.webServer></location>',
            '</configuration>')
        Format-Attributes (Read-Explicit $file 'Default Web Site/Shop') | Should -BeExactly 'max=7'
    }
}
