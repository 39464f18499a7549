# Read-WebConfig (ReadWebConfigs.ps1): one web.config as IIS would find it on this server, with
# environment variables expanded here. A missing file in a folder that exists sets nothing; a
# folder that is not there, an unset variable or a relative path is "unreadable", with why.

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
    . (Join-Path $scripts 'FileAccess.ps1')
    . (Join-Path $scripts 'ReadWebConfigs.ps1')
}

Describe 'Read-WebConfig' {
    BeforeEach {
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('asp-session-pester-' + [Guid]::NewGuid().ToString('N'))
        [void](New-Item -ItemType Directory -Path $folder)
        $env:ASP_SESSION_PESTER_SITE = $folder
    }
    AfterEach {
        Remove-Item -LiteralPath $folder -Recurse -Force
        Remove-Item Env:ASP_SESSION_PESTER_SITE -ErrorAction SilentlyContinue
    }

    It 'reads the bytes of a file named through an environment variable, expanded here' {
        $bytes = [byte[]](0xEF, 0xBB, 0xBF, 0x3C, 0x63, 0x2F, 0x3E)
        [System.IO.File]::WriteAllBytes((Join-Path $folder 'web.config'), $bytes)
        $entry = Read-WebConfig '%ASP_SESSION_PESTER_SITE%/web.config'
        $entry.state | Should -BeExactly 'read'
        $entry.file | Should -BeExactly '%ASP_SESSION_PESTER_SITE%/web.config'
        $entry.path | Should -BeExactly ($folder + '/web.config')
        [Convert]::FromBase64String($entry.content) | Should -Be $bytes
    }

    It 'reports a file absent from a folder that exists as missing' {
        (Read-WebConfig '%ASP_SESSION_PESTER_SITE%/web.config').state | Should -BeExactly 'missing'
    }

    It 'reports a folder that does not exist as unreadable, saying so' {
        $entry = Read-WebConfig '%ASP_SESSION_PESTER_SITE%/gone/web.config'
        $entry.state | Should -BeExactly 'unreadable'
        $entry.reason | Should -Match 'folder does not exist'
    }

    It 'names an environment variable that is not set' {
        $entry = Read-WebConfig '%ASP_SESSION_PESTER_UNSET%/web.config'
        $entry.state | Should -BeExactly 'unreadable'
        $entry.reason | Should -BeExactly 'the environment variable %ASP_SESSION_PESTER_UNSET% is not set on this server'
    }

    It 'refuses a relative path' {
        $entry = Read-WebConfig 'inetpub\wwwroot\web.config'
        $entry.state | Should -BeExactly 'unreadable'
        $entry.reason | Should -BeExactly 'not an absolute path'
    }
}
