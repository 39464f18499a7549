# Get-SiteNames (Read.ps1): the names of the sites applicationHost.config defines, for telling a
# location that names none of them; $null when the file has no <sites> at all. Find-Overriding:
# which web.config sets an attribute GetWebConfiguration says a web.config overrides. ASCII only
# (5.1 reads BOM-less files as ANSI).

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

Describe 'Find-Overriding' {
    BeforeEach {
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('asp-session-pester-' + [Guid]::NewGuid().ToString('N'))
        $site = Join-Path $root 'site'
        $shop = Join-Path $root 'shop'
        [void][System.IO.Directory]::CreateDirectory((Join-Path $site 'images'))
        [void][System.IO.Directory]::CreateDirectory($shop)
        $file = Join-Path $root 'applicationHost.config'
        $env:ASP_SESSION_PESTER_SITE = $site
        [System.IO.File]::WriteAllText($file, ('<configuration><system.applicationHost><sites><site name="Default Web Site" id="1">' +
            '<application path="/"><virtualDirectory path="/" physicalPath="%ASP_SESSION_PESTER_SITE%" /></application>' +
            '<application path="/Shop"><virtualDirectory path="/" physicalPath="{0}" /></application>' +
            '</site></sites></system.applicationHost></configuration>') -f $shop)
        function Write-WebConfig([string]$folder, [string]$body) {
            [System.IO.File]::WriteAllText((Join-Path $folder 'web.config'), '<configuration>' + $body + '</configuration>')
        }
        $asp = '<system.webServer><asp><session {0} /></asp></system.webServer>'
    }
    AfterEach {
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
        Remove-Item Env:ASP_SESSION_PESTER_SITE -ErrorAction SilentlyContinue
    }

    It 'names the deepest web.config on the way that sets each attribute, at the level whose folder holds it (environment variables expanded, paths compared ignoring case)' {
        Write-WebConfig $site ($asp -f 'max="77" timeout="00:45:00"')
        Write-WebConfig $shop ($asp -f 'max="9"')
        $found = Find-Overriding $file 'default web site/SHOP/cart' @('max', 'timeout')
        $found['max'].path | Should -BeExactly 'default web site/SHOP'
        $found['max'].file | Should -BeExactly (Join-Path $shop 'web.config')
        $found['timeout'].path | Should -BeExactly 'default web site'
        $found['timeout'].file | Should -BeExactly (Join-Path $site 'web.config')
    }

    It 'counts the location tags of a web.config only on the way to the location' {
        Write-WebConfig $site ('<location path="shop">' + ($asp -f 'max="5"') + '</location><location path="images">' + ($asp -f 'timeout="00:01:00"') + '</location>')
        $found = Find-Overriding $file 'Default Web Site/shop' @('max', 'timeout')
        $found['max'].file | Should -BeExactly (Join-Path $site 'web.config')
        $found.Contains('timeout') | Should -BeFalse
        (Find-Overriding $file 'Default Web Site/images/x' @('timeout'))['timeout'].path | Should -BeExactly 'Default Web Site'
    }

    It 'finds nothing for a site the file does not define, or a folder without web.config' {
        (Find-Overriding $file 'Other Site/shop' @('max')).Count | Should -Be 0
        (Find-Overriding $file 'Default Web Site/images' @('max')).Count | Should -Be 0
    }
}
