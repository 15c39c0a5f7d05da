/**
 * Stripe's test PaymentMethods (https://docs.stripe.com/testing): ids such as
 * `pm_card_visa` that a test-mode request may use wherever a PaymentMethod id goes.
 * As in Stripe, each use makes a new PaymentMethod (a fresh `pm_` id) from the template,
 * and the declining ones fail every charge with their documented code.
 */
import type { CardDecline } from './records.js';

export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
  decline: CardDecline | null;
}

const card = (brand: string, last4: string, funding: TestCard['funding'] = 'credit', country = 'US'): TestCard => ({
  brand,
  last4,
  funding,
  country,
  decline: null,
});

const declined = (last4: string, code: string, declineCode: string, message: string): TestCard => ({
  ...card('visa', last4),
  decline: { code, declineCode, message },
});

const GENERIC = declined('0002', 'card_declined', 'generic_decline', 'Your card was declined.');
const INSUFFICIENT = declined('9995', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.');
const LOST = declined('9987', 'card_declined', 'lost_card', 'Your card was declined.');
const STOLEN = declined('9979', 'card_declined', 'stolen_card', 'Your card was declined.');
const FRAUDULENT = declined('0019', 'card_declined', 'fraudulent', 'Your card was declined.');
const VELOCITY = declined(
  '6975',
  'card_declined',
  'card_velocity_exceeded',
  'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
);

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: card('visa', '4242'),
  pm_card_visa_debit: card('visa', '5556', 'debit'),
  pm_card_mastercard: card('mastercard', '4444'),
  pm_card_mastercard_debit: card('mastercard', '8210', 'debit'),
  pm_card_mastercard_prepaid: card('mastercard', '5100', 'prepaid'),
  pm_card_amex: card('amex', '8431'),
  pm_card_discover: card('discover', '1117'),
  pm_card_diners: card('diners', '0004'),
  pm_card_jcb: card('jcb', '0505', 'credit', 'JP'),
  pm_card_unionpay: card('unionpay', '0005', 'credit', 'CN'),
  pm_card_chargeDeclined: GENERIC,
  pm_card_visa_chargeDeclined: GENERIC,
  pm_card_chargeDeclinedInsufficientFunds: INSUFFICIENT,
  pm_card_visa_chargeDeclinedInsufficientFunds: INSUFFICIENT,
  pm_card_chargeDeclinedLostCard: LOST,
  pm_card_visa_chargeDeclinedLostCard: LOST,
  pm_card_chargeDeclinedStolenCard: STOLEN,
  pm_card_visa_chargeDeclinedStolenCard: STOLEN,
  pm_card_chargeDeclinedFraudulent: FRAUDULENT,
  pm_card_visa_chargeDeclinedFraudulent: FRAUDULENT,
  pm_card_visa_chargeDeclinedVelocityLimitExceeded: VELOCITY,
  pm_card_chargeDeclinedExpiredCard: declined('0069', 'expired_card', 'expired_card', 'Your card has expired.'),
  pm_card_chargeDeclinedIncorrectCvc: declined('0127', 'incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
  pm_card_chargeDeclinedProcessingError: declined(
    '0119',
    'processing_error',
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
  ),
};

/** The message Stripe gives for a decline code, for seeded failures. */
export function declineMessage(declineCode: string): string {
  switch (declineCode) {
    case 'insufficient_funds':
      return 'Your card has insufficient funds.';
    case 'expired_card':
      return 'Your card has expired.';
    default:
      return 'Your card was declined.';
  }
}
