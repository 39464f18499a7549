# Runs the Pester tests in this folder (*.Tests.ps1) with Pester 5.7.1, in PowerShell 7 here or
# Windows PowerShell 5.1 on Windows:
#   pwsh -NoProfile -File test/pester/run.ps1                  Pester's own report; exit 0 when all pass
#   pwsh -NoProfile -File test/pester/run.ps1 -SummaryPath f   quiet; a JSON summary in f (pester.test.ts)
# The summary is {"pesterMissing":"5.7.1"} when that Pester is not installed (test/pester/install.sh
# installs it), else the counts, the test files that ran, and each failure's name, place and message.
param([string]$SummaryPath)

$ErrorActionPreference = 'Stop'
$PesterVersion = '5.7.1'

function Write-Summary($summary) {
    if (-not $SummaryPath) { return }
    $json = ConvertTo-Json -InputObject $summary -Depth 6 -Compress
    [System.IO.File]::WriteAllText($SummaryPath, $json, (New-Object System.Text.UTF8Encoding -ArgumentList $false))
}

# Messages of a test's, block's or file's error records, one after another.
function Get-ErrorText($records) {
    return (@($records) | Where-Object { $null -ne $_ } | ForEach-Object { $_.Exception.Message }) -join "`n"
}

$pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -eq [version]$PesterVersion } | Select-Object -First 1
if ($null -eq $pester) {
    Write-Summary ([ordered]@{ pesterMissing = $PesterVersion })
    Write-Host "Pester $PesterVersion is not installed: run test/pester/install.sh"
    exit 2
}
Import-Module $pester.Path

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
if ($SummaryPath) { $configuration.Output.Verbosity = 'None' } else { $configuration.Output.Verbosity = 'Detailed' }
$result = Invoke-Pester -Configuration $configuration

$failures = New-Object System.Collections.Generic.List[object]
foreach ($test in $result.Failed) {
    $failures.Add([ordered]@{
        name = $test.ExpandedPath
        where = [System.IO.Path]::GetFileName($test.ScriptBlock.File) + ':' + $test.StartLine
        message = Get-ErrorText $test.ErrorRecord
    })
}
# A BeforeAll that throws fails its block; a file that does not parse fails its container.
foreach ($block in $result.FailedBlocks) {
    $failures.Add([ordered]@{ name = $block.ExpandedPath + ' (setup)'; where = [System.IO.Path]::GetFileName($block.BlockContainer.Item); message = Get-ErrorText $block.ErrorRecord })
}
foreach ($container in $result.FailedContainers) {
    $failures.Add([ordered]@{ name = [string]$container.Item + ' (file)'; where = [string]$container.Item; message = Get-ErrorText $container.ErrorRecord })
}

Write-Summary ([ordered]@{
    pester = $PesterVersion
    powershell = $PSVersionTable.PSVersion.ToString() + ' ' + $PSVersionTable.PSEdition
    files = @($result.Containers | ForEach-Object { [System.IO.Path]::GetFileName([string]$_.Item) })
    total = $result.TotalCount
    passed = $result.PassedCount
    failed = $result.FailedCount
    skipped = $result.SkippedCount
    notRun = $result.NotRunCount
    seconds = [Math]::Round($result.Duration.TotalSeconds, 1)
    failures = $failures.ToArray()
})
if ($failures.Count -gt 0 -or $result.FailedCount -gt 0) { exit 1 }
exit 0
