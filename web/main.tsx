// Browser entry: mounts the app shell behind sign-in, and the toaster and confirm dialog (which outlive a sign-out).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { AuthGate } from './auth/auth-gate';
import { ConfirmHost } from './lib/confirm';
import { Toaster } from './lib/toasts';
import './styles.css';
import './theme-dark.css';

const root = document.getElementById('root');
if (!root) throw new Error('Missing #root');
createRoot(root).render(
  <StrictMode>
    <AuthGate>
      <App />
    </AuthGate>
    <Toaster />
    <ConfirmHost />
  </StrictMode>,
);
