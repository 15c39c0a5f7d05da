import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRefModel, InvoiceRefModel, PaymentModel, PaymentEventModel, PaymentMethodModel, RefundModel } from '../models.js';
import type { PaymentsContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, as an ISO 8601 string in UTC, e.g. "2026-06-30T12:00:00.000Z". */
  DateTime: { input: string; output: string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** Who may be served a cached value: anyone (PUBLIC) or only the user it was fetched for (PRIVATE). Used by @cacheControl only, so kept out of the API schema. */
export type CacheControlScope =
  /** Only the user it was fetched for. */
  | 'PRIVATE'
  /** Anyone. */
  | 'PUBLIC';

/** ISO 4217 currency codes the backing systems bill in. */
export type CurrencyCode =
  /** Euro */
  | 'EUR'
  /** Pound sterling */
  | 'GBP'
  /** US dollar */
  | 'USD';

/** A customer, as the payment provider knows it. The id is the CRM company id. */
export type Customer = {
  __typename?: 'Customer';
  /** The card charged when none is named (the provider's invoice default); null when none is set. Loaded with the customer, at no extra cost. */
  defaultPaymentMethod?: Maybe<PaymentMethod>;
  /** The CRM company id. */
  id: Scalars['ID']['output'];
  /**
   * The cards the customer has saved. The provider lists cards one customer at a time,
   * so this costs one backend call per customer: prefer defaultPaymentMethod on lists.
   */
  paymentMethods?: Maybe<Array<PaymentMethod>>;
  /** The customer's payments, newest first. */
  payments?: Maybe<PaymentConnection>;
};


/** A customer, as the payment provider knows it. The id is the CRM company id. */
export type CustomerPaymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** An ERP invoice, as the payment provider knows it: the payments made against it. */
export type Invoice = {
  __typename?: 'Invoice';
  /** The ERP invoice id. */
  id: Scalars['ID']['output'];
  /** Payments made against this invoice, failed attempts included, newest first. */
  payments?: Maybe<Array<Payment>>;
};

/** An amount of money: never a float, always whole minor units with their currency. */
export type Money = {
  __typename?: 'Money';
  /** The amount in the currency's minor units (cents for USD and EUR, pence for GBP). */
  amount: Scalars['Int']['output'];
  /** The currency of the amount. */
  currency: CurrencyCode;
  /** The amount formatted for display in English, e.g. "$1,234.50". */
  formatted: Scalars['String']['output'];
};

/** An amount to pay, in whole minor units of a currency. */
export type MoneyInput = {
  /** The amount in the currency's minor units, at least 1. */
  amount: Scalars['Int']['input'];
  /** The currency. */
  currency: CurrencyCode;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Charges a customer's saved card for an ERP invoice. A declined card gives a
   * PAYMENT_DECLINED error with the decline code. Safe to retry with the same
   * idempotencyKey: the customer is charged once.
   */
  payInvoice: PayInvoicePayload;
  /** Refunds all or part of a payment. Safe to retry with the same idempotencyKey. */
  refundPayment: RefundPaymentPayload;
};


export type MutationPayInvoiceArgs = {
  input: PayInvoiceInput;
};


export type MutationRefundPaymentArgs = {
  input: RefundPaymentInput;
};

/** Where a page of a connection sits in the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item of this page: pass it as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** Paying an ERP invoice with a saved card. */
export type PayInvoiceInput = {
  /** How much to pay: usually the invoice's amountDue. */
  amount: MoneyInput;
  /** The customer paying (CRM company id). */
  customerId: Scalars['ID']['input'];
  /**
   * A key the client makes once per payment it means to make (a UUID, 8 to 255
   * characters). Sending the same request again with the same key returns the first
   * result and never charges twice.
   */
  idempotencyKey: Scalars['String']['input'];
  /** The ERP invoice being paid. */
  invoiceId: Scalars['ID']['input'];
  /** The saved card to charge; the customer's first saved card when left out. */
  paymentMethodId?: InputMaybe<Scalars['ID']['input']>;
};

/** The result of payInvoice. */
export type PayInvoicePayload = {
  __typename?: 'PayInvoicePayload';
  /** The payment: SUCCEEDED, or PROCESSING or REQUIRES_ACTION when the provider needs more time or the customer. */
  payment: Payment;
};

/** A payment (a payment intent at the provider). */
export type Payment = {
  __typename?: 'Payment';
  /** The amount asked for. */
  amount: Money;
  /** How much of it has been refunded. */
  amountRefunded: Money;
  /** When the payment was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The customer who paid. */
  customer?: Maybe<Customer>;
  /** Why the last attempt failed, e.g. insufficient_funds; null when it did not. */
  failureCode?: Maybe<Scalars['String']['output']>;
  /** The provider's payment intent id (pi_…). */
  id: Scalars['ID']['output'];
  /** The invoice the payment is for, when it is for one. */
  invoice?: Maybe<Invoice>;
  /** The card used. */
  paymentMethod?: Maybe<PaymentMethod>;
  /** Refunds of this payment, oldest first. */
  refunds: Array<Refund>;
  /** Where the payment is in its life. */
  status: PaymentStatus;
};

/** A page of payments. */
export type PaymentConnection = {
  __typename?: 'PaymentConnection';
  /** The payments of this page, each with its cursor. */
  edges: Array<PaymentEdge>;
  /** The payments of this page. */
  nodes: Array<Payment>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many payments the whole list holds. */
  totalCount: Scalars['Int']['output'];
};

/** A payment and its cursor. */
export type PaymentEdge = {
  __typename?: 'PaymentEdge';
  /** Pass as `after` to start the next page after this payment. */
  cursor: Scalars['String']['output'];
  /** The payment. */
  node: Payment;
};

/** One event of a payment, published live to paymentEvents subscribers. Never cached. */
export type PaymentEvent = {
  __typename?: 'PaymentEvent';
  /** The customer who paid. */
  customer: Customer;
  /**
   * The provider's event id (evt_…); for INVOICE_RECONCILED, the id of the
   * payment_intent.succeeded event it follows with ":reconciled" appended.
   */
  id: Scalars['ID']['output'];
  /** The invoice the payment is for; null when it is for no invoice. */
  invoice?: Maybe<Invoice>;
  /** When it happened (for INVOICE_RECONCILED: when the ERP was seen to have applied the payment). */
  occurredAt: Scalars['DateTime']['output'];
  /** The payment as the event left it (a refund's event shows the amount refunded so far). */
  payment: Payment;
  /** What happened. */
  type: PaymentEventType;
};

/** What happened to a payment, as subscribers of paymentEvents are told. */
export type PaymentEventType =
  /** The ERP has applied the succeeded payment to its invoice (seen after a PAYMENT_SUCCEEDED for an invoice). */
  | 'INVOICE_RECONCILED'
  /** The payment was cancelled (payment_intent.canceled). */
  | 'PAYMENT_CANCELED'
  /** An attempt to pay failed, e.g. the card was declined (payment_intent.payment_failed). */
  | 'PAYMENT_FAILED'
  /** Part or all of the payment was refunded: one event per refund (charge.refunded). */
  | 'PAYMENT_REFUNDED'
  /** The payment went through (payment_intent.succeeded). */
  | 'PAYMENT_SUCCEEDED';

/** A saved card. */
export type PaymentMethod = {
  __typename?: 'PaymentMethod';
  /** Card brand, e.g. visa. */
  brand: Scalars['String']['output'];
  /** Expiry month, 1 to 12. */
  expMonth: Scalars['Int']['output'];
  /** Expiry year. */
  expYear: Scalars['Int']['output'];
  /** The provider's payment method id (pm_…). */
  id: Scalars['ID']['output'];
  /** Last four digits of the card number. */
  last4: Scalars['String']['output'];
};

/** Where a payment is in its life, from the payment provider's payment intent status. */
export type PaymentStatus =
  /** The payment was cancelled. */
  | 'CANCELED'
  /** The attempt failed (for example the card was declined); it may be retried with another method. */
  | 'FAILED'
  /** The payment is being processed. */
  | 'PROCESSING'
  /** The payment needs the customer to act (for example 3-D Secure). */
  | 'REQUIRES_ACTION'
  /** The payment went through. */
  | 'SUCCEEDED';

export type Query = {
  __typename?: 'Query';
  /** A payment by its id; null when there is none. */
  payment?: Maybe<Payment>;
};


export type QueryPaymentArgs = {
  id: Scalars['ID']['input'];
};

/** A refund of part or all of a payment. */
export type Refund = {
  __typename?: 'Refund';
  /** The amount refunded. */
  amount: Money;
  /** When the refund was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The provider's refund id (re_…). */
  id: Scalars['ID']['output'];
  /** Where the refund is in its life. */
  status: RefundStatus;
};

/** Refunding all or part of a payment. */
export type RefundPaymentInput = {
  /** How much to refund; everything not yet refunded when left out. */
  amount?: InputMaybe<MoneyInput>;
  /** A key the client makes once per refund; a retried request never refunds twice. */
  idempotencyKey: Scalars['String']['input'];
  /** The payment to refund. */
  paymentId: Scalars['ID']['input'];
};

/** The result of refundPayment. */
export type RefundPaymentPayload = {
  __typename?: 'RefundPaymentPayload';
  /** The payment after the refund. */
  payment: Payment;
  /** The refund. */
  refund: Refund;
};

/** Where a refund is in its life. */
export type RefundStatus =
  /** The refund was cancelled. */
  | 'CANCELED'
  /** The refund failed. */
  | 'FAILED'
  /** The refund is on its way. */
  | 'PENDING'
  /** The refund went through. */
  | 'SUCCEEDED';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Payment events of one customer as they happen, optionally of one invoice only:
   * payments succeeded, failed, refunded or cancelled, and invoices the ERP has
   * reconciled with a payment. Served over WebSocket (graphql-transport-ws).
   */
  paymentEvents: PaymentEvent;
};


export type SubscriptionPaymentEventsArgs = {
  customerId: Scalars['ID']['input'];
  invoiceId?: InputMaybe<Scalars['ID']['input']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Customer: Customer;
  Invoice: Invoice;
  Payment: Payment;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}> );
  Invoice:
    ( { __typename: 'Invoice' }
    & GraphQLRecursivePick<FederationTypes['Invoice'], {"id":true}> );
  Payment:
    ( { __typename: 'Payment' }
    & GraphQLRecursivePick<FederationTypes['Payment'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CacheControlScope: CacheControlScope;
  CurrencyCode: CurrencyCode;
  Customer: ResolverTypeWrapper<CustomerRefModel>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Invoice: ResolverTypeWrapper<InvoiceRefModel>;
  Money: ResolverTypeWrapper<Money>;
  MoneyInput: MoneyInput;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PayInvoiceInput: PayInvoiceInput;
  PayInvoicePayload: ResolverTypeWrapper<Omit<PayInvoicePayload, 'payment'> & { payment: ResolversTypes['Payment'] }>;
  Payment: ResolverTypeWrapper<PaymentModel>;
  PaymentConnection: ResolverTypeWrapper<Omit<PaymentConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['PaymentEdge']>, nodes: Array<ResolversTypes['Payment']> }>;
  PaymentEdge: ResolverTypeWrapper<Omit<PaymentEdge, 'node'> & { node: ResolversTypes['Payment'] }>;
  PaymentEvent: ResolverTypeWrapper<PaymentEventModel>;
  PaymentEventType: PaymentEventType;
  PaymentMethod: ResolverTypeWrapper<PaymentMethodModel>;
  PaymentStatus: PaymentStatus;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Refund: ResolverTypeWrapper<RefundModel>;
  RefundPaymentInput: RefundPaymentInput;
  RefundPaymentPayload: ResolverTypeWrapper<Omit<RefundPaymentPayload, 'payment' | 'refund'> & { payment: ResolversTypes['Payment'], refund: ResolversTypes['Refund'] }>;
  RefundStatus: RefundStatus;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Customer: CustomerRefModel;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  Invoice: InvoiceRefModel;
  Money: Money;
  MoneyInput: MoneyInput;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  PayInvoiceInput: PayInvoiceInput;
  PayInvoicePayload: Omit<PayInvoicePayload, 'payment'> & { payment: ResolversParentTypes['Payment'] };
  Payment: PaymentModel;
  PaymentConnection: Omit<PaymentConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['PaymentEdge']>, nodes: Array<ResolversParentTypes['Payment']> };
  PaymentEdge: Omit<PaymentEdge, 'node'> & { node: ResolversParentTypes['Payment'] };
  PaymentEvent: PaymentEventModel;
  PaymentMethod: PaymentMethodModel;
  Query: Record<PropertyKey, never>;
  Refund: RefundModel;
  RefundPaymentInput: RefundPaymentInput;
  RefundPaymentPayload: Omit<RefundPaymentPayload, 'payment' | 'refund'> & { payment: ResolversParentTypes['Payment'], refund: ResolversParentTypes['Refund'] };
  Subscription: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = PaymentsContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type CustomerResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  defaultPaymentMethod?: Resolver<Maybe<ResolversTypes['PaymentMethod']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  paymentMethods?: Resolver<Maybe<Array<ResolversTypes['PaymentMethod']>>, ParentType, ContextType>;
  payments?: Resolver<Maybe<ResolversTypes['PaymentConnection']>, ParentType, ContextType, RequireFields<CustomerPaymentsArgs, 'first'>>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type InvoiceResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Invoice'] = ResolversParentTypes['Invoice'], FederationReferenceType extends FederationReferenceTypes['Invoice'] = FederationReferenceTypes['Invoice']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Invoice']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  payments?: Resolver<Maybe<Array<ResolversTypes['Payment']>>, ParentType, ContextType>;
}>;

export type MoneyResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = ResolversObject<{
  amount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['CurrencyCode'], ParentType, ContextType>;
  formatted?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  payInvoice?: Resolver<ResolversTypes['PayInvoicePayload'], ParentType, ContextType, RequireFields<MutationPayInvoiceArgs, 'input'>>;
  refundPayment?: Resolver<ResolversTypes['RefundPaymentPayload'], ParentType, ContextType, RequireFields<MutationRefundPaymentArgs, 'input'>>;
}>;

export type PageInfoResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PayInvoicePayloadResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PayInvoicePayload'] = ResolversParentTypes['PayInvoicePayload']> = ResolversObject<{
  payment?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
}>;

export type PaymentResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Payment'] = ResolversParentTypes['Payment'], FederationReferenceType extends FederationReferenceTypes['Payment'] = FederationReferenceTypes['Payment']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Payment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  amountRefunded?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType>;
  failureCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoice?: Resolver<Maybe<ResolversTypes['Invoice']>, ParentType, ContextType>;
  paymentMethod?: Resolver<Maybe<ResolversTypes['PaymentMethod']>, ParentType, ContextType>;
  refunds?: Resolver<Array<ResolversTypes['Refund']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['PaymentStatus'], ParentType, ContextType>;
}>;

export type PaymentConnectionResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PaymentConnection'] = ResolversParentTypes['PaymentConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['PaymentEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Payment']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PaymentEdgeResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PaymentEdge'] = ResolversParentTypes['PaymentEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
}>;

export type PaymentEventResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PaymentEvent'] = ResolversParentTypes['PaymentEvent']> = ResolversObject<{
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invoice?: Resolver<Maybe<ResolversTypes['Invoice']>, ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  payment?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['PaymentEventType'], ParentType, ContextType>;
}>;

export type PaymentMethodResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['PaymentMethod'] = ResolversParentTypes['PaymentMethod']> = ResolversObject<{
  brand?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  expMonth?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  expYear?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  last4?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  payment?: Resolver<Maybe<ResolversTypes['Payment']>, ParentType, ContextType, RequireFields<QueryPaymentArgs, 'id'>>;
}>;

export type RefundResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Refund'] = ResolversParentTypes['Refund']> = ResolversObject<{
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['RefundStatus'], ParentType, ContextType>;
}>;

export type RefundPaymentPayloadResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['RefundPaymentPayload'] = ResolversParentTypes['RefundPaymentPayload']> = ResolversObject<{
  payment?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
  refund?: Resolver<ResolversTypes['Refund'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = PaymentsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  paymentEvents?: SubscriptionResolver<ResolversTypes['PaymentEvent'], "paymentEvents", ParentType, ContextType, RequireFields<SubscriptionPaymentEventsArgs, 'customerId'>>;
}>;

export type Resolvers<ContextType = PaymentsContext> = ResolversObject<{
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Invoice?: InvoiceResolvers<ContextType>;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PayInvoicePayload?: PayInvoicePayloadResolvers<ContextType>;
  Payment?: PaymentResolvers<ContextType>;
  PaymentConnection?: PaymentConnectionResolvers<ContextType>;
  PaymentEdge?: PaymentEdgeResolvers<ContextType>;
  PaymentEvent?: PaymentEventResolvers<ContextType>;
  PaymentMethod?: PaymentMethodResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Refund?: RefundResolvers<ContextType>;
  RefundPaymentPayload?: RefundPaymentPayloadResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = PaymentsContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
