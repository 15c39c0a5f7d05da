import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client/react';
import { createWebClient } from './apollo.js';
import { App } from './App.js';
import './styles.css';

// VITE_GRAPH360_TOKEN: `npm run web` fills it from .data/dev-auth/token (written by `npm start`).
const client = createWebClient({ token: import.meta.env.VITE_GRAPH360_TOKEN || undefined });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App />
    </ApolloProvider>
  </StrictMode>,
);
