# Write-ContentLine (FileAccess.ps1): readFile's content line, "content:" and base64 written in
# pieces of 3 * 262144 = 786432 bytes, then LF. Each piece is a multiple of 3 bytes, so its base64
# has no padding and the pieces join into the base64 of the whole; the sizes below sit on either
# side of the piece boundaries. ASCII only (5.1 reads BOM-less files as ANSI).

BeforeAll {
    $scripts = Join-Path $PSScriptRoot '../../provider/powershell/scripts'
    . (Join-Path $scripts 'Common.ps1')
    . (Join-Path $scripts 'ConfigLocation.ps1')
    . (Join-Path $scripts 'FileAccess.ps1')
}

Describe 'Write-ContentLine' {
    It 'writes <size> bytes (<why>) as one line that decodes to them' -ForEach @(
        @{ size = 0; why = 'empty' }
        @{ size = 1; why = 'two padding characters' }
        @{ size = 2; why = 'one padding character' }
        @{ size = 3; why = 'no padding' }
        @{ size = 786431; why = 'one short of a piece' }
        @{ size = 786432; why = 'one piece exactly' }
        @{ size = 786433; why = 'one byte into a second piece' }
        @{ size = 1572865; why = 'one byte into a third piece' }
    ) {
        $content = New-Object byte[] $size
        (New-Object System.Random $size).NextBytes($content)
        $stream = New-Object System.IO.MemoryStream
        Write-ContentLine $stream $content
        $line = [System.Text.Encoding]::ASCII.GetString($stream.ToArray())

        # The whole content's base64 in one call is what the pieces must add up to.
        $line | Should -BeExactly ('content:' + [Convert]::ToBase64String($content) + "`n")
        $decoded = [Convert]::FromBase64String($line.Substring(8, $line.Length - 9))
        $decoded.Length | Should -Be $size
        [Convert]::ToBase64String($decoded) | Should -BeExactly ([Convert]::ToBase64String($content))
    }
}
