function Invoke-Operation($request) {
    return Read-State (Get-Location $request)
}
