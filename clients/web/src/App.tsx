/**
 * Two screens, chosen by the URL hash so that no router is needed: the customer list
 * (#/) and a customer's 360 page (#/customers/<id>).
 */
import { useEffect, useState } from 'react';
import { CustomerList } from './components/CustomerList.js';
import { CustomerOverview } from './components/CustomerOverview.js';

const customerIdOf = (hash: string): string | undefined => /^#\/customers\/([^/]+)$/.exec(hash)?.[1];

export function App() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const customerId = customerIdOf(hash);
  return (
    <main>
      <header className="app-header">
        <h1>
          <a href="#/">graph360</a>
        </h1>
        <span>customers, orders, invoices and payments in one place</span>
      </header>
      {customerId ? <CustomerOverview id={decodeURIComponent(customerId)} /> : <CustomerList />}
    </main>
  );
}
