# Get-SiteNames (Read.ps1): the names of the sites applicationHost.config defines, for telling a
# location that names none of them; $null when the file has no <sites> at all. ASCII only (5.1
# reads BOM-less files as ANSI).

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
    . (Join-Path $scripts 'Iis.ps1')
    . (Join-Path $scripts 'Read.ps1')
}

Describe 'Get-SiteNames' {
    BeforeEach {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ('asp-session-pester-' + [Guid]::NewGuid().ToString('N') + '.config')
    }
    AfterEach {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }

    It 'lists every site, in file order, names as written' {
        [System.IO.File]::WriteAllText($file, '<configuration><system.applicationHost><sites><site name="Default Web Site" id="1" /><site name="Intranet (old)" id="2" /></sites></system.applicationHost></configuration>')
        (Get-SiteNames $file) -join '|' | Should -BeExactly 'Default Web Site|Intranet (old)'
    }

    It 'is $null for a file without <sites>' {
        [System.IO.File]::WriteAllText($file, '<configuration><system.webServer /></configuration>')
        Get-SiteNames $file | Should -BeNullOrEmpty
        $null -eq (Get-SiteNames $file) | Should -BeTrue
    }
}
