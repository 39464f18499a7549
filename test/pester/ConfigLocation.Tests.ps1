# Test-AbsolutePath, Get-WindowsFolder and Find-ApplicationHost (ConfigLocation.ps1), called with
# Windows facts as arguments so they run the same here (PowerShell 7 on Linux) and on Windows
# PowerShell 5.1. ASCII only: 5.1 reads a file without a BOM in the ANSI code page.

BeforeDiscovery {
    $relative = 'an absolute path (C:\... or \\server\share\...)'
    $device = 'an absolute path to a file (C:\... or \\server\share\...), not one in the \\.\ or \\?\ namespaces'
}

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
}

Describe 'Test-AbsolutePath' {
    Context 'with Windows rules' {
        # https://learn.microsoft.com/en-us/dotnet/standard/io/file-path-formats
        # "C:\Documents\..." is absolute from the root of drive C:; "\\Server2\Share\Test\Foo.txt" is a
        # UNC path (always fully qualified); "2018\January.xlsx" is relative to the current directory;
        # "\Program Files\..." is relative to the root of the current drive; "C:Projects\..." is
        # relative to the current directory of drive C:. "\\.\C:\Test\Foo.txt" and "\\?\C:\Test\Foo.txt"
        # are DOS device paths, refused: a configuration file is never a device.
        It 'returns "<expected>" for "<path>" (<kind>)' -ForEach @(
            @{ path = 'C:\Windows\System32\inetsrv\config\applicationHost.config'; kind = 'absolute from the root of drive C:'; expected = '' }
            @{ path = 'c:\x'; kind = 'drive letters in either case'; expected = '' }
            @{ path = '\\server\share\file'; kind = 'UNC'; expected = '' }
            @{ path = 'config\a.config'; kind = 'relative to the current directory'; expected = $relative }
            @{ path = 'C:a.config'; kind = 'relative to the current directory of drive C:'; expected = $relative }
            @{ path = '\Windows\x'; kind = 'relative to the root of the current drive'; expected = $relative }
            @{ path = '\\.\C:\x'; kind = 'DOS device path'; expected = $device }
            @{ path = '\\?\C:\x'; kind = 'DOS device path that skips normalization'; expected = $device }
            @{ path = ''; kind = 'empty'; expected = $relative }
        ) {
            Test-AbsolutePath $path $true | Should -BeExactly $expected
        }

        # Same page, "Canonicalize separators": Windows turns every "/" into "\", so C:/Windows/x does
        # name C:\Windows\x. The script asks for the form IIS and its tools write, as configPath's
        # check in provider/targets/declaration.ts does, and says which form it wants.
        It 'refuses "<path>", asking for C:\...' -ForEach @(
            @{ path = 'C:/Windows/x'; expected = $relative }
        ) {
            Test-AbsolutePath $path $true | Should -BeExactly $expected
        }

        # Same page, "Identify the path": device paths "begin with two separators and a question mark
        # or period", "/" is a separator, and only a path starting exactly with \\?\ skips
        # normalization. redirection.config's path reaches Test-AbsolutePath without the provider's
        # own check (deviceProblem in provider/targets/declaration.ts refuses [\/][\/][.?][\/]).
        It 'refuses the device path "<path>", written with forward slashes' -ForEach @(
            @{ path = '\\./C:/x'; expected = $device }
            @{ path = '\\?/C:/x'; expected = $device }
        ) {
            Test-AbsolutePath $path $true | Should -BeExactly $expected
        }
    }

    Context 'with POSIX rules (PowerShell 7 on Linux)' {
        It 'returns "<expected>" for "<path>"' -ForEach @(
            @{ path = '/etc/x'; expected = '' }
            @{ path = 'etc/x'; expected = 'an absolute path (/...)' }
            @{ path = 'C:\x'; expected = 'an absolute path (/...)' }
        ) {
            Test-AbsolutePath $path $false | Should -BeExactly $expected
        }
    }
}

Describe 'Get-WindowsFolder' {
    It 'returns %windir% "<value>" as it is' -ForEach @(
        @{ value = 'C:\Windows' }
        @{ value = 'D:\WINNT' }
    ) {
        Get-WindowsFolder $value | Should -BeExactly $value
    }

    It 'asks .NET where Windows is when %windir% is <name>' -ForEach @(
        @{ name = 'empty'; value = '' }
        @{ name = 'unset'; value = $null }
    ) {
        Get-WindowsFolder $value | Should -BeExactly ([Environment]::GetFolderPath('Windows'))
    }
}

Describe 'Find-ApplicationHost' {
    BeforeAll {
        # A scratch %windir% with System32\inetsrv\config and, when given, redirection.config there.
        function New-WindowsFolder([string]$redirection) {
            $windir = Join-Path $TestDrive ([Guid]::NewGuid().ToString('N'))
            $config = [System.IO.Path]::Combine($windir, 'System32', 'inetsrv', 'config')
            [void][System.IO.Directory]::CreateDirectory($config)
            if ($redirection) { [System.IO.File]::WriteAllText([System.IO.Path]::Combine($config, 'redirection.config'), $redirection) }
            return $windir
        }
        function Get-ConfigFolder([string]$windir) { [System.IO.Path]::Combine($windir, 'System32', 'inetsrv', 'config') }
        # The Shared Configuration folder in the path form of the PowerShell running the tests
        # ($WindowsPaths, from ConfigLocation.ps1): a share on Windows, /... elsewhere.
        $share = if ($WindowsPaths) { '\\fileserver\iis-shared' } else { '/srv/iis-shared' }
        # redirection.config as IIS Manager writes it, with this configurationRedirection element.
        function Format-Redirection([string]$element) {
            '<?xml version="1.0" encoding="UTF-8"?>' + "`n" + '<configuration>' + "`n" +
            '  <configSections><section name="configurationRedirection" /></configSections>' + "`n" +
            '  ' + $element + "`n" + '</configuration>' + "`n"
        }
    }

    It 'finds applicationHost.config under %windir% when there is no redirection.config' {
        $windir = New-WindowsFolder
        $found = Find-ApplicationHost $windir
        $found.path | Should -BeExactly ([System.IO.Path]::Combine((Get-ConfigFolder $windir), 'applicationHost.config'))
        $found.source | Should -BeExactly 'windir'
        $found.share | Should -BeExactly ''
        $found.redirection | Should -BeExactly ([System.IO.Path]::Combine((Get-ConfigFolder $windir), 'redirection.config'))
    }

    It 'stays under %windir% when redirection.config <case>' -ForEach @(
        @{ case = 'has enabled="false"'; element = '<configurationRedirection enabled="false" path="/srv/iis-shared" />' }
        @{ case = 'has no enabled attribute'; element = '<configurationRedirection path="/srv/iis-shared" />' }
        @{ case = 'has no configurationRedirection element'; element = '' }
    ) {
        $windir = New-WindowsFolder (Format-Redirection $element)
        $found = Find-ApplicationHost $windir
        $found.path | Should -BeExactly ([System.IO.Path]::Combine((Get-ConfigFolder $windir), 'applicationHost.config'))
        $found.source | Should -BeExactly 'windir'
    }

    It 'follows Shared Configuration (enabled="<enabled>") to the absolute path it names' -ForEach @(
        @{ enabled = 'true' }
        @{ enabled = 'True' }
        @{ enabled = ' true ' }
    ) {
        $windir = New-WindowsFolder (Format-Redirection ('<configurationRedirection enabled="' + $enabled + '" path="' + $share + '" userName="" password="" />'))
        $found = Find-ApplicationHost $windir
        $found.path | Should -BeExactly ([System.IO.Path]::Combine($share, 'applicationHost.config'))
        $found.source | Should -BeExactly 'sharedConfiguration'
        $found.share | Should -BeExactly $share
    }

    It 'refuses enabled="maybe" with configError' {
        $windir = New-WindowsFolder (Format-Redirection '<configurationRedirection enabled="maybe" path="/srv/iis-shared" />')
        $failure = { Find-ApplicationHost $windir } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'configError'
        $failure.Exception.Message | Should -BeExactly ([System.IO.Path]::Combine((Get-ConfigFolder $windir), 'redirection.config') + ': enabled="maybe" is not true or false')
    }

    It 'refuses a Shared Configuration path that is not absolute with configError' {
        $windir = New-WindowsFolder (Format-Redirection '<configurationRedirection enabled="true" path="iis-shared" />')
        $failure = { Find-ApplicationHost $windir } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'configError'
        $failure.Exception.Message | Should -BeLike '*redirection.config enables Shared Configuration; its path "iis-shared" is not an absolute path (*)'
    }

    It 'reports a redirection.config that is <case> as configError, naming the file' -ForEach @(
        @{ case = 'not well-formed XML'; text = '<configuration><configurationRedirection enabled="true"' }
        @{ case = 'empty'; text = ' ' }
        @{ case = 'carrying a DTD (prohibited)'; text = '<!DOCTYPE configuration [<!ENTITY share "/srv">]><configuration />' }
    ) {
        $windir = New-WindowsFolder $text
        $failure = { Find-ApplicationHost $windir } | Should -Throw -PassThru
        $failure.Exception.Data['pulumiCode'] | Should -BeExactly 'configError'
        $failure.Exception.Message | Should -BeLike ([System.IO.Path]::Combine((Get-ConfigFolder $windir), 'redirection.config') + ' (whether Shared Configuration is on): *')
    }
}
