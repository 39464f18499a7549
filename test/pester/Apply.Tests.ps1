# Test-SameValue and Get-ReadBackProblem (Apply.ps1): how apply compares attribute text with the
# values it asked for, before and after its commit. ASCII only (5.1 reads BOM-less files as ANSI).

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
    . (Join-Path $scripts 'Iis.ps1')
    . (Join-Path $scripts 'Apply.ps1')
}

Describe 'Test-SameValue' {
    # Values as ConvertTo-SessionValue makes them: bool, uint32, TimeSpan. TimeSpan "c" forms per
    # https://learn.microsoft.com/en-us/dotnet/standard/base-types/standard-timespan-format-strings
    It 'finds <name> "<text>" <verdict> <value>' -ForEach @(
        @{ name = 'allowSessionState'; text = 'True'; value = $true; verdict = 'the same as'; same = $true }
        @{ name = 'allowSessionState'; text = ' true '; value = $true; verdict = 'the same as'; same = $true }
        @{ name = 'keepSessionIdSecure'; text = 'FALSE'; value = $false; verdict = 'the same as'; same = $true }
        @{ name = 'keepSessionIdSecure'; text = 'false'; value = $true; verdict = 'different from'; same = $false }
        @{ name = 'max'; text = '0100'; value = [uint32]100; verdict = 'the same as'; same = $true }
        @{ name = 'max'; text = '100'; value = [uint32]101; verdict = 'different from'; same = $false }
        @{ name = 'max'; text = '4294967295'; value = [uint32]4294967295; verdict = 'the same as'; same = $true }
        @{ name = 'max'; text = '4294967296'; value = [uint32]0; verdict = 'different from (unparseable)'; same = $false }
        @{ name = 'timeout'; text = '00:20:00'; value = [TimeSpan]::FromMinutes(20); verdict = 'the same as'; same = $true }
        @{ name = 'timeout'; text = '0:20'; value = [TimeSpan]::FromMinutes(20); verdict = 'the same as'; same = $true }
        @{ name = 'timeout'; text = '1.00:00:00'; value = [TimeSpan]::FromDays(1); verdict = 'the same as'; same = $true }
        @{ name = 'timeout'; text = '24:00:00'; value = [TimeSpan]::FromDays(1); verdict = 'different from (hh past 23)'; same = $false }
        @{ name = 'timeout'; text = ''; value = [TimeSpan]::Zero; verdict = 'different from (empty)'; same = $false }
    ) {
        Test-SameValue $name $text $value | Should -Be $same
    }
}

Describe 'Get-ReadBackProblem' {
    BeforeAll {
        # Read-State's shape: explicit holds the text at the location, effective what IIS applies
        # (max as Int64, timeout as "c" text, booleans as bool).
        function New-State($explicit, $effective) {
            return [ordered]@{ explicit = $explicit; effective = $effective }
        }
    }

    It 'finds nothing wrong when <name> reads back as asked (<why>)' -ForEach @(
        @{ name = 'max'; asked = '0100'; value = [uint32]100; actual = '100'; applied = [long]100; why = 'same number, other text' }
        @{ name = 'timeout'; asked = '0:20'; value = [TimeSpan]::FromMinutes(20); actual = '00:20:00'; applied = '00:20:00'; why = 'same time, other text' }
        @{ name = 'allowSessionState'; asked = 'True'; value = $true; actual = 'true'; applied = $true; why = 'case' }
    ) {
        $state = New-State ([ordered]@{ $name = $actual }) ([ordered]@{ $name = $applied })
        Get-ReadBackProblem $name $asked $value $state | Should -BeExactly ''
    }

    It 'says an attribute is missing' {
        $state = New-State ([ordered]@{}) ([ordered]@{ max = [long]4294967295 })
        Get-ReadBackProblem 'max' '0100' ([uint32]100) $state | Should -BeExactly 'is not set, expected "0100"'
    }

    It 'quotes the text found when it means something else' {
        $state = New-State ([ordered]@{ max = '200' }) ([ordered]@{ max = [long]200 })
        Get-ReadBackProblem 'max' '0100' ([uint32]100) $state | Should -BeExactly 'reads back as "200", expected "0100"'
    }

    It 'quotes the text found when it does not parse' {
        $state = New-State ([ordered]@{ timeout = 'soon' }) ([ordered]@{ timeout = '00:20:00' })
        Get-ReadBackProblem 'timeout' '00:20:00' ([TimeSpan]::FromMinutes(20)) $state | Should -BeExactly 'reads back as "soon", expected "00:20:00"'
    }

    It 'says what IIS applies when the text is as asked but the effective value is not' {
        $state = New-State ([ordered]@{ max = '100' }) ([ordered]@{ max = [long]50 })
        Get-ReadBackProblem 'max' '100' ([uint32]100) $state | Should -BeExactly 'is "100" as asked, but IIS applies 50 there'
    }
}
