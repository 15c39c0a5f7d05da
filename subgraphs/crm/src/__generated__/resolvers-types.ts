import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerModel, ContactModel, DealModel } from '../models.js';
import type { CrmContext } from '../context.js';
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

/** A person at a customer. */
export type Contact = {
  __typename?: 'Contact';
  /** Email address. */
  email?: Maybe<Scalars['String']['output']>;
  /** First name. */
  firstName?: Maybe<Scalars['String']['output']>;
  /** First and last name together, or the email when neither is known. */
  fullName: Scalars['String']['output'];
  /** The CRM contact id. */
  id: Scalars['ID']['output'];
  /** Job title. */
  jobTitle?: Maybe<Scalars['String']['output']>;
  /** Last name. */
  lastName?: Maybe<Scalars['String']['output']>;
  /** Phone number. */
  phone?: Maybe<Scalars['String']['output']>;
};

/** A page of a customer's contacts. */
export type ContactConnection = {
  __typename?: 'ContactConnection';
  /** The contacts of this page, each with its cursor. */
  edges: Array<ContactEdge>;
  /** The contacts of this page. */
  nodes: Array<Contact>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many contacts the customer has. */
  totalCount: Scalars['Int']['output'];
};

/** A contact and its cursor. */
export type ContactEdge = {
  __typename?: 'ContactEdge';
  /** Pass as `after` to start the next page after this contact. */
  cursor: Scalars['String']['output'];
  /** The contact. */
  node: Contact;
};

/** ISO 4217 currency codes the backing systems bill in. */
export type CurrencyCode =
  /** Euro */
  | 'EUR'
  /** Pound sterling */
  | 'GBP'
  /** US dollar */
  | 'USD';

/**
 * A customer: a company in the CRM. Its id is the CRM company id, which the ERP and the
 * payment provider also record, so every system's data about it joins here.
 */
export type Customer = {
  __typename?: 'Customer';
  /** City of the head office. */
  city?: Maybe<Scalars['String']['output']>;
  /** The people at this company; null when the CRM could not be reached for them. */
  contacts?: Maybe<ContactConnection>;
  /** Country of the head office. */
  country?: Maybe<Scalars['String']['output']>;
  /** When the company was created in the CRM. */
  createdAt: Scalars['DateTime']['output'];
  /** The currency the customer is billed in. */
  currency: CurrencyCode;
  /** The deals with this company, in the order the CRM created them; null when the CRM could not be reached for them. */
  deals?: Maybe<DealConnection>;
  /** The company's web domain, e.g. acme.example.com. */
  domain?: Maybe<Scalars['String']['output']>;
  /** The CRM company id. */
  id: Scalars['ID']['output'];
  /** The company's industry, as the CRM classifies it (e.g. COMPUTER_SOFTWARE). */
  industry?: Maybe<Scalars['String']['output']>;
  /** Where the customer is in the sales funnel. */
  lifecycleStage: LifecycleStage;
  /** The company's name. */
  name: Scalars['String']['output'];
  /** Number of employees, when known. */
  numberOfEmployees?: Maybe<Scalars['Int']['output']>;
  /** Id of the CRM user who owns the relationship. */
  ownerId?: Maybe<Scalars['ID']['output']>;
  /** Main phone number. */
  phone?: Maybe<Scalars['String']['output']>;
  /** When the company was last changed in the CRM. */
  updatedAt: Scalars['DateTime']['output'];
};


/**
 * A customer: a company in the CRM. Its id is the CRM company id, which the ERP and the
 * payment provider also record, so every system's data about it joins here.
 */
export type CustomerContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/**
 * A customer: a company in the CRM. Its id is the CRM company id, which the ERP and the
 * payment provider also record, so every system's data about it joins here.
 */
export type CustomerDealsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of a customer list. */
export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  /** The customers of this page, each with its cursor. */
  edges: Array<CustomerEdge>;
  /** The customers of this page. */
  nodes: Array<Customer>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many customers match, in all pages. */
  totalCount: Scalars['Int']['output'];
};

/** A customer and its cursor. */
export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  /** Pass as `after` to start the next page after this customer. */
  cursor: Scalars['String']['output'];
  /** The customer. */
  node: Customer;
};

/** Filters for the customer list; all given filters must match. */
export type CustomerFilter = {
  /** Customers at this lifecycle stage. */
  lifecycleStage?: InputMaybe<LifecycleStage>;
  /** Customers whose name contains this word (case-insensitive). */
  nameContains?: InputMaybe<Scalars['String']['input']>;
};

/** A sales opportunity with a customer. */
export type Deal = {
  __typename?: 'Deal';
  /** The expected value of the deal, in the customer's currency. */
  amount?: Maybe<Money>;
  /** When the deal is expected to close, or closed. */
  closeDate?: Maybe<Scalars['DateTime']['output']>;
  /** The CRM deal id. */
  id: Scalars['ID']['output'];
  /** The deal's name. */
  name: Scalars['String']['output'];
  /** Stage in the pipeline. */
  stage: DealStage;
};

/** A page of a customer's deals. */
export type DealConnection = {
  __typename?: 'DealConnection';
  /** The deals of this page, each with its cursor. */
  edges: Array<DealEdge>;
  /** The deals of this page. */
  nodes: Array<Deal>;
  /** Where this page sits. */
  pageInfo: PageInfo;
  /** How many deals the customer has. */
  totalCount: Scalars['Int']['output'];
};

/** A deal and its cursor. */
export type DealEdge = {
  __typename?: 'DealEdge';
  /** Pass as `after` to start the next page after this deal. */
  cursor: Scalars['String']['output'];
  /** The deal. */
  node: Deal;
};

/** The stage of a deal in the sales pipeline. */
export type DealStage =
  /** A first meeting is booked. */
  | 'APPOINTMENT_SCHEDULED'
  /** Lost. */
  | 'CLOSED_LOST'
  /** Won. */
  | 'CLOSED_WON'
  /** The contract is out for signature. */
  | 'CONTRACT_SENT'
  /** The decision maker agreed. */
  | 'DECISION_MAKER_BOUGHT_IN'
  /** A stage of another pipeline. */
  | 'OTHER'
  /** A presentation is booked. */
  | 'PRESENTATION_SCHEDULED'
  /** The buyer is qualified. */
  | 'QUALIFIED_TO_BUY';

/** Where a customer is in the sales funnel, from the CRM's lifecycle stage. */
export type LifecycleStage =
  /** Has bought. */
  | 'CUSTOMER'
  /** A customer who recommends us. */
  | 'EVANGELIST'
  /** A lead. */
  | 'LEAD'
  /** A lead that marketing has qualified. */
  | 'MARKETING_QUALIFIED_LEAD'
  /** In an open deal. */
  | 'OPPORTUNITY'
  /** Any other stage. */
  | 'OTHER'
  /** A lead that sales has qualified. */
  | 'SALES_QUALIFIED_LEAD';

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

export type Mutation = {
  __typename?: 'Mutation';
  /** Changes a customer's record in the CRM. */
  updateCustomer: UpdateCustomerPayload;
};


export type MutationUpdateCustomerArgs = {
  input: UpdateCustomerInput;
};

/** Where a page of a connection sits in the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last item of this page: pass it as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** A customer by its id (the CRM company id); null when there is none. */
  customer?: Maybe<Customer>;
  /** Customers, in the order the CRM lists them, a page at a time. */
  customers?: Maybe<CustomerConnection>;
};


export type QueryCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CustomerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Changes to a customer's CRM record; fields left out are not changed. */
export type UpdateCustomerInput = {
  /** A new web domain. */
  domain?: InputMaybe<Scalars['String']['input']>;
  /** The customer to change. */
  id: Scalars['ID']['input'];
  /** A new lifecycle stage. */
  lifecycleStage?: InputMaybe<LifecycleStage>;
  /** A new name (not empty). */
  name?: InputMaybe<Scalars['String']['input']>;
  /** A new main phone number. */
  phone?: InputMaybe<Scalars['String']['input']>;
};

/** The result of updateCustomer. */
export type UpdateCustomerPayload = {
  __typename?: 'UpdateCustomerPayload';
  /** The customer as the CRM holds it after the change. */
  customer: Customer;
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
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CacheControlScope: CacheControlScope;
  Contact: ResolverTypeWrapper<ContactModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ContactConnection: ResolverTypeWrapper<Omit<ContactConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['ContactEdge']>, nodes: Array<ResolversTypes['Contact']> }>;
  ContactEdge: ResolverTypeWrapper<Omit<ContactEdge, 'node'> & { node: ResolversTypes['Contact'] }>;
  CurrencyCode: CurrencyCode;
  Customer: ResolverTypeWrapper<CustomerModel>;
  CustomerConnection: ResolverTypeWrapper<Omit<CustomerConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['CustomerEdge']>, nodes: Array<ResolversTypes['Customer']> }>;
  CustomerEdge: ResolverTypeWrapper<Omit<CustomerEdge, 'node'> & { node: ResolversTypes['Customer'] }>;
  CustomerFilter: CustomerFilter;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Deal: ResolverTypeWrapper<DealModel>;
  DealConnection: ResolverTypeWrapper<Omit<DealConnection, 'edges' | 'nodes'> & { edges: Array<ResolversTypes['DealEdge']>, nodes: Array<ResolversTypes['Deal']> }>;
  DealEdge: ResolverTypeWrapper<Omit<DealEdge, 'node'> & { node: ResolversTypes['Deal'] }>;
  DealStage: DealStage;
  LifecycleStage: LifecycleStage;
  Money: ResolverTypeWrapper<Money>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateCustomerInput: UpdateCustomerInput;
  UpdateCustomerPayload: ResolverTypeWrapper<Omit<UpdateCustomerPayload, 'customer'> & { customer: ResolversTypes['Customer'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Contact: ContactModel;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  ContactConnection: Omit<ContactConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['ContactEdge']>, nodes: Array<ResolversParentTypes['Contact']> };
  ContactEdge: Omit<ContactEdge, 'node'> & { node: ResolversParentTypes['Contact'] };
  Customer: CustomerModel;
  CustomerConnection: Omit<CustomerConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['CustomerEdge']>, nodes: Array<ResolversParentTypes['Customer']> };
  CustomerEdge: Omit<CustomerEdge, 'node'> & { node: ResolversParentTypes['Customer'] };
  CustomerFilter: CustomerFilter;
  DateTime: Scalars['DateTime']['output'];
  Deal: DealModel;
  DealConnection: Omit<DealConnection, 'edges' | 'nodes'> & { edges: Array<ResolversParentTypes['DealEdge']>, nodes: Array<ResolversParentTypes['Deal']> };
  DealEdge: Omit<DealEdge, 'node'> & { node: ResolversParentTypes['Deal'] };
  Money: Money;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  UpdateCustomerInput: UpdateCustomerInput;
  UpdateCustomerPayload: Omit<UpdateCustomerPayload, 'customer'> & { customer: ResolversParentTypes['Customer'] };
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = CrmContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ContactResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Contact'] = ResolversParentTypes['Contact']> = ResolversObject<{
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  fullName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jobTitle?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ContactConnectionResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['ContactConnection'] = ResolversParentTypes['ContactConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ContactEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Contact']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ContactEdgeResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['ContactEdge'] = ResolversParentTypes['ContactEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Contact'], ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  city?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  contacts?: Resolver<Maybe<ResolversTypes['ContactConnection']>, ParentType, ContextType, RequireFields<CustomerContactsArgs, 'first'>>;
  country?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['CurrencyCode'], ParentType, ContextType>;
  deals?: Resolver<Maybe<ResolversTypes['DealConnection']>, ParentType, ContextType, RequireFields<CustomerDealsArgs, 'first'>>;
  domain?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  industry?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lifecycleStage?: Resolver<ResolversTypes['LifecycleStage'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  numberOfEmployees?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  ownerId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type CustomerConnectionResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['CustomerConnection'] = ResolversParentTypes['CustomerConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['CustomerEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Customer']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CustomerEdgeResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['CustomerEdge'] = ResolversParentTypes['CustomerEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DealResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Deal'] = ResolversParentTypes['Deal']> = ResolversObject<{
  amount?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
  closeDate?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  stage?: Resolver<ResolversTypes['DealStage'], ParentType, ContextType>;
}>;

export type DealConnectionResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['DealConnection'] = ResolversParentTypes['DealConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['DealEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Deal']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DealEdgeResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['DealEdge'] = ResolversParentTypes['DealEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Deal'], ParentType, ContextType>;
}>;

export type MoneyResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = ResolversObject<{
  amount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['CurrencyCode'], ParentType, ContextType>;
  formatted?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  updateCustomer?: Resolver<ResolversTypes['UpdateCustomerPayload'], ParentType, ContextType, RequireFields<MutationUpdateCustomerArgs, 'input'>>;
}>;

export type PageInfoResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType, RequireFields<QueryCustomerArgs, 'id'>>;
  customers?: Resolver<Maybe<ResolversTypes['CustomerConnection']>, ParentType, ContextType, RequireFields<QueryCustomersArgs, 'first'>>;
}>;

export type UpdateCustomerPayloadResolvers<ContextType = CrmContext, ParentType extends ResolversParentTypes['UpdateCustomerPayload'] = ResolversParentTypes['UpdateCustomerPayload']> = ResolversObject<{
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = CrmContext> = ResolversObject<{
  Contact?: ContactResolvers<ContextType>;
  ContactConnection?: ContactConnectionResolvers<ContextType>;
  ContactEdge?: ContactEdgeResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  CustomerConnection?: CustomerConnectionResolvers<ContextType>;
  CustomerEdge?: CustomerEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Deal?: DealResolvers<ContextType>;
  DealConnection?: DealConnectionResolvers<ContextType>;
  DealEdge?: DealEdgeResolvers<ContextType>;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  UpdateCustomerPayload?: UpdateCustomerPayloadResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = CrmContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
