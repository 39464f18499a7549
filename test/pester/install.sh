#!/usr/bin/env bash
# Installs Pester 5.7.1, the PowerShell test framework test/pester/*.Tests.ps1 are written for, into
# pwsh's user module folder, where `Import-Module Pester -RequiredVersion 5.7.1` finds it. Does
# nothing when pwsh already lists that version, so running it again is cheap.
#
# The package comes from NuGet (nuget.org's flat container). It is laid out for Chocolatey: the
# module is the package's tools/ folder; the rest ([Content_Types].xml, _rels/, package/, the
# .nuspec, the signature, chocolateyInstall.ps1) is packaging and is left out.
set -euo pipefail

VERSION=5.7.1
URL="https://api.nuget.org/v3-flatcontainer/pester/${VERSION}/pester.${VERSION}.nupkg"

if ! command -v pwsh >/dev/null 2>&1; then
  echo "install.sh: pwsh is not on PATH; install PowerShell 7 first (dotnet tool install --global PowerShell --version 7.6.9, then add ~/.dotnet/tools to PATH)" >&2
  exit 1
fi

installed() {
  [ -n "$(pwsh -NoProfile -NonInteractive -Command "Get-Module -ListAvailable Pester | Where-Object Version -eq '${VERSION}' | Select-Object -First 1 -ExpandProperty ModuleBase")" ]
}

if installed; then
  echo "Pester ${VERSION} is already installed"
  exit 0
fi

# pwsh's user module folder on Linux and macOS (it honours XDG_DATA_HOME).
modules="${XDG_DATA_HOME:-$HOME/.local/share}/powershell/Modules"
target="$modules/Pester/$VERSION"

work="$(mktemp -d)"
staging="$modules/Pester/.${VERSION}.partial.$$"
trap 'rm -rf "$work" "$staging"' EXIT
package="$work/pester.${VERSION}.nupkg"

curl --fail --silent --show-error --location \
  --connect-timeout 20 --max-time 300 \
  --retry 4 --retry-delay 5 --retry-all-errors \
  --output "$package" "$URL"

# A .nupkg is a zip archive: "PK\3\4" first. An HTML error page or a truncated download is not.
if [ "$(head -c 4 "$package" | od -An -tx1 | tr -d ' \n')" != "504b0304" ]; then
  echo "install.sh: $URL did not give a zip archive (a .nupkg); got $(wc -c <"$package") bytes starting with: $(head -c 60 "$package" | tr -c '[:print:]' '.')" >&2
  exit 1
fi

# Extracted next to the target first, then renamed into place: an interrupted run leaves no half
# module where Get-Module would find it. Entries are checked to stay inside tools/ (no "..").
mkdir -p "$modules/Pester"
PESTER_PACKAGE="$package" PESTER_STAGING="$staging" PESTER_VERSION="$VERSION" pwsh -NoProfile -NonInteractive -Command '
    $ErrorActionPreference = "Stop"
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [System.IO.Compression.ZipFile]::OpenRead($env:PESTER_PACKAGE)
    try {
        $nuspec = $zip.GetEntry("Pester.nuspec")
        if ($null -eq $nuspec) { throw "the package has no Pester.nuspec" }
        $reader = New-Object System.IO.StreamReader -ArgumentList $nuspec.Open()
        try { [xml]$manifest = $reader.ReadToEnd() } finally { $reader.Dispose() }
        $metadata = $manifest.package.metadata
        if ($metadata.id -ne "Pester" -or $metadata.version -ne $env:PESTER_VERSION) {
            throw ("the package is " + $metadata.id + " " + $metadata.version + ", not Pester " + $env:PESTER_VERSION)
        }
        $root = [System.IO.Path]::GetFullPath($env:PESTER_STAGING) + [System.IO.Path]::DirectorySeparatorChar
        $count = 0
        foreach ($entry in $zip.Entries) {
            if (-not $entry.FullName.StartsWith("tools/", [System.StringComparison]::Ordinal) -or $entry.FullName.EndsWith("/")) { continue }
            $destination = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($root, $entry.FullName.Substring(6)))
            if (-not $destination.StartsWith($root, [System.StringComparison]::Ordinal)) { throw ("the package entry " + $entry.FullName + " points outside the module folder") }
            [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($destination))
            [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, $destination, $true)
            $count++
        }
        if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($root, "Pester.psd1"))) { throw "the package has no tools/Pester.psd1" }
        "extracted $count files of the Pester module"
    } finally { $zip.Dispose() }
'
rm -rf "$target"
mv "$staging" "$target"

if ! installed; then
  echo "install.sh: extracted Pester into $target, but pwsh does not list Pester ${VERSION} (is $modules on its PSModulePath?)" >&2
  exit 1
fi
echo "Pester ${VERSION} installed in $target"
