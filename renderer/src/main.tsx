import './zod-config.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { applyTheme } from './theme.ts';
import './styles/tokens.css';
import './styles/base.css';
import './styles/controls.css';
import './styles/field.css';
import './styles/layout.css';
import './styles/compose.css';
import './styles/file-refs.css';
import './styles/queue.css';
import './styles/library.css';
import './styles/power.css';
import './styles/compare.css';

// Before the first paint, so a dark system never flashes a light splash.
applyTheme('system');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
