; Included by electron-builder's Windows installer (electron-builder.yml, nsis.include). The app's executable
; is also the qwen-studio command line (main/app/cli-mode.ts): the installer writes qwen-studio.cmd beside it
; and adds the installation folder to the user's PATH (new terminals see it); the uninstaller removes both.

!macro customInstall
  FileOpen $0 "$INSTDIR\qwen-studio.cmd" w
  FileWrite $0 `@"%~dp0${PRODUCT_FILENAME}.exe" %*$\r$\n`
  FileClose $0
  nsExec::ExecToLog `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$$d = '$INSTDIR'; $$p = [Environment]::GetEnvironmentVariable('Path', 'User'); $$keep = @(($$p -split ';') | Where-Object { $$_ -and $$_ -ne $$d }); [Environment]::SetEnvironmentVariable('Path', (($$keep + $$d) -join ';'), 'User')"`
  Pop $0
!macroend

!macro customUnInstall
  Delete "$INSTDIR\qwen-studio.cmd"
  nsExec::ExecToLog `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$$d = '$INSTDIR'; $$p = [Environment]::GetEnvironmentVariable('Path', 'User'); $$keep = @(($$p -split ';') | Where-Object { $$_ -and $$_ -ne $$d }); [Environment]::SetEnvironmentVariable('Path', ($$keep -join ';'), 'User')"`
  Pop $0
!macroend
